using System.Globalization;
using System.Text.Json;
using ClaimTracker.Api.Appearances;
using ClaimTracker.Api.Data;
using ClaimTracker.Api.Entities;
using ClaimTracker.Api.Http;
using ClaimTracker.Api.Sources;

namespace ClaimTracker.Api.ClaimReviews;

/// <summary>Who made the reviewed claim (`itemReviewed.author`).</summary>
public sealed record ImportedAgent(string Name, EntityKind Kind);

/// <summary>One ClaimReview as the import reads it: checked, trimmed, with the stance its rating gives.</summary>
public sealed record ImportedReview(
    string Url, string ClaimReviewed, ImportedRating Rating, Stance Stance, string Title, string? Publisher,
    DateTimeOffset? PublishedAt, string? Language, string? ReviewBody, ImportedAgent? Claimant)
{
    /// <summary>
    /// The fact-check source's text: the claim as reviewed (the appearance's quote, anchored at 0), the rating, then the
    /// review's body. A changed rating is a new revision of it; the revisions keep every earlier one.
    /// </summary>
    public string Content => string.Join("\n\n", new[] { ClaimReviewed, Rating.Describe(), ReviewBody }.Where(p => p is not null));

    /// <summary>`it` for `it-IT`: the matcher's and the translations' language.</summary>
    public string? PrimaryLanguage => Language?.Split('-')[0].ToLowerInvariant();
}

/// <summary>
/// Reads ClaimReview JSON(-LD) as real feeds write it: one review, an array, a schema.org `DataFeed` whose
/// `dataFeedElement` holds reviews or `DataFeedItem`s (`{ "item": [..] }`), or an `@graph`; numbers as strings or numbers;
/// `author`, `appearance` and `reviewRating` as an object or an array. A missing optional field is fine; a malformed one
/// rejects its review with a reason naming it.
/// </summary>
public static class ClaimReviewReader
{
    private const int MaxNesting = 4;

    /// <summary>The reviews in a body, in order; null when the body is neither an object nor an array.</summary>
    public static IReadOnlyList<JsonElement>? Items(JsonElement root)
    {
        if (root.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array)) return null;
        var items = new List<JsonElement>();
        Expand(root, items, 0);
        return items;
    }

    private static void Expand(JsonElement element, List<JsonElement> items, int depth)
    {
        var children = element.ValueKind == JsonValueKind.Array ? element
            : depth >= MaxNesting || IsType(element, "ClaimReview") ? (JsonElement?)null
            : Property(element, "dataFeedElement") ?? Property(element, "@graph") ?? Property(element, "item");
        if (children is not { } list)
        {
            items.Add(element);
            return;
        }
        if (list.ValueKind != JsonValueKind.Array) Expand(list, items, depth + 1);
        else foreach (var child in list.EnumerateArray()) Expand(child, items, depth + 1);
    }

    /// <summary>The review, or null with the <paramref name="reason"/> it is rejected for.</summary>
    public static ImportedReview? Read(JsonElement item, out string reason)
    {
        var errors = new List<string>();
        reason = "";
        if (item.ValueKind != JsonValueKind.Object)
        {
            reason = "A review is a JSON object with \"@type\": \"ClaimReview\".";
            return null;
        }
        if (Property(item, "@type") is not null && !IsType(item, "ClaimReview"))
        {
            reason = $"@type is {Property(item, "@type")!.Value.GetRawText()}, not ClaimReview.";
            return null;
        }

        var url = Text(item, "url", errors)?.Trim();
        if (url is null) errors.Add("url is required: the review's URL is its key.");
        else Check(errors, e => SourceFields.Url(e, url));
        var claimReviewed = Text(item, "claimReviewed", errors)?.Trim();
        if (string.IsNullOrEmpty(claimReviewed)) errors.Add("claimReviewed is required: it is the claim.");
        else if (claimReviewed.Length > Limits.Statement) errors.Add($"claimReviewed must be at most {Limits.Statement} characters.");

        var rating = Rating(One(Property(item, "reviewRating")), errors);
        var stance = rating is null ? null : ReviewRatings.StanceOf(rating);
        if (rating is not null && stance is null)
        {
            errors.Add($"reviewRating: no ratingValue within its bestRating and worstRating, and alternateName " +
                       $"'{rating.AlternateName}' is not a rating word this API knows ({string.Join(", ", ReviewRatings.Words.Keys)}).");
        }

        var publisher = Name(One(Property(item, "author")), "author", errors)?.Name;
        var publishedAt = Time(item, "datePublished", errors);
        var language = Language(item, errors);
        var title = Text(item, "name", errors) ?? Text(item, "headline", errors);
        var body = Text(item, "reviewBody", errors);
        var claimant = One(Property(item, "itemReviewed")) is { ValueKind: JsonValueKind.Object } reviewed
            ? Name(One(Property(reviewed, "author")), "itemReviewed.author", errors)
            : null;

        if (publisher is not null && publisher.Length > Limits.Name) errors.Add($"author.name must be at most {Limits.Name} characters.");
        if (claimant is not null && claimant.Name.Length > Limits.Name) errors.Add($"itemReviewed.author.name must be at most {Limits.Name} characters.");
        if (errors.Count > 0)
        {
            reason = string.Join(" ", errors);
            return null;
        }

        var review = new ImportedReview(url!, claimReviewed!, rating!, stance!.Value,
            Clip(string.IsNullOrWhiteSpace(title) ? $"{publisher ?? "Fact check"}: {claimReviewed}" : title.Trim(), Limits.Title),
            publisher, publishedAt, language, string.IsNullOrWhiteSpace(body) ? null : body.Trim(), claimant);
        if (review.Content.Length > Limits.Content)
        {
            reason = $"reviewBody is too long: the review's text must be at most {Limits.Content} characters.";
            return null;
        }
        return review;
    }

    private static ImportedRating? Rating(JsonElement? rating, List<string> errors)
    {
        if (rating is not { ValueKind: JsonValueKind.Object } r)
        {
            errors.Add("reviewRating is required: an object with ratingValue (and bestRating, worstRating) or alternateName.");
            return null;
        }
        var before = errors.Count;
        var value = Number(r, "ratingValue", errors);
        var best = Number(r, "bestRating", errors);
        var worst = Number(r, "worstRating", errors);
        var name = Text(r, "alternateName", errors) ?? Text(r, "name", errors);
        return errors.Count > before ? null : new ImportedRating(value, best, worst, string.IsNullOrWhiteSpace(name) ? null : name.Trim());
    }

    /// <summary>An agent's `name` and kind; a string is taken as the name. Null when absent or nameless.</summary>
    private static ImportedAgent? Name(JsonElement? agent, string field, List<string> errors)
    {
        switch (agent)
        {
            case { ValueKind: JsonValueKind.String } text:
                return string.IsNullOrWhiteSpace(text.GetString()) ? null : new ImportedAgent(text.GetString()!.Trim(), EntityKind.Organization);
            case { ValueKind: JsonValueKind.Object } o:
                var name = Text(o, "name", errors, field);
                return string.IsNullOrWhiteSpace(name) ? null : new ImportedAgent(name.Trim(), IsType(o, "Person") ? EntityKind.Person : EntityKind.Organization);
            case null or { ValueKind: JsonValueKind.Null }:
                return null;
            default:
                errors.Add($"{field} must be an object with a name.");
                return null;
        }
    }

    private static string? Language(JsonElement item, List<string> errors)
    {
        // Text, or a schema.org Language whose alternateName is the tag.
        var language = One(Property(item, "inLanguage")) is { ValueKind: JsonValueKind.Object } o
            ? Text(o, "alternateName", errors, "inLanguage") : Text(item, "inLanguage", errors);
        if (string.IsNullOrWhiteSpace(language)) return null;
        var invalid = new ValidationErrors();
        SourceFields.Language(invalid, language.Trim());
        if (!invalid.Any) return SourceFields.CanonicalLanguage(language.Trim());
        errors.Add($"inLanguage '{language}' is not a BCP 47 language tag (e.g. it, en-US).");
        return null;
    }

    private static DateTimeOffset? Time(JsonElement item, string field, List<string> errors)
    {
        var text = Text(item, field, errors);
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)) return time.ToUniversalTime();
        errors.Add($"{field} '{text}' is not a date (e.g. 2025-01-22 or 2025-01-22T10:00:00Z).");
        return null;
    }

    private static decimal? Number(JsonElement o, string field, List<string> errors)
    {
        switch (One(Property(o, field)))
        {
            case null or { ValueKind: JsonValueKind.Null }:
                return null;
            case { ValueKind: JsonValueKind.Number } n when n.TryGetDecimal(out var number):
                return number;
            case { ValueKind: JsonValueKind.String } s when string.IsNullOrWhiteSpace(s.GetString()):
                return null;
            case { ValueKind: JsonValueKind.String } s when decimal.TryParse(s.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed):
                return parsed;
            case { } other:
                errors.Add($"reviewRating.{field} {other.GetRawText()} is not a number.");
                return null;
        }
    }

    /// <summary>A text property (a number is taken as its text, an array as its first value); null when absent.</summary>
    private static string? Text(JsonElement o, string field, List<string> errors, string? parent = null)
    {
        switch (One(Property(o, field)))
        {
            case null or { ValueKind: JsonValueKind.Null }:
                return null;
            case { ValueKind: JsonValueKind.String } s:
                return s.GetString();
            case { ValueKind: JsonValueKind.Number } n:
                return n.GetRawText();
            default:
                errors.Add($"{(parent is null ? "" : parent + ".")}{field} must be text.");
                return null;
        }
    }

    private static JsonElement? Property(JsonElement o, string name) =>
        o.ValueKind == JsonValueKind.Object && o.TryGetProperty(name, out var value) ? value : null;

    /// <summary>An array's first element, or the value itself: JSON-LD allows one value or several anywhere.</summary>
    private static JsonElement? One(JsonElement? value) =>
        value is { ValueKind: JsonValueKind.Array } array ? array.EnumerateArray().Select(e => (JsonElement?)e).FirstOrDefault() : value;

    /// <summary>True when `@type` is, or (an array) includes, <paramref name="type"/>, with or without a schema.org prefix.</summary>
    private static bool IsType(JsonElement o, string type)
    {
        static bool Is(JsonElement t, string type) => t.ValueKind == JsonValueKind.String
            && t.GetString()!.Split('/', ':')[^1].Equals(type, StringComparison.OrdinalIgnoreCase);
        return Property(o, "@type") switch
        {
            { ValueKind: JsonValueKind.Array } types => types.EnumerateArray().Any(t => Is(t, type)),
            { } t => Is(t, type),
            null => false,
        };
    }

    private static void Check(List<string> errors, Action<ValidationErrors> rule)
    {
        var found = new ValidationErrors();
        rule(found);
        errors.AddRange(found.ToDictionary().SelectMany(p => p.Value));
    }

    private static string Clip(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
