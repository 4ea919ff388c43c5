using System.Text.RegularExpressions;
using ClaimTracker.Api.Data;
using ClaimTracker.Api.Http;

namespace ClaimTracker.Api.Claims;

/// <summary>The field rules of a claim, shared by create and merge patch so that both accept exactly the same claims.</summary>
public static partial class ClaimRules
{
    public const int MaxTags = 20;
    public const int MaxUnit = 32;
    /// <summary>`period` and `scope`: the width of their columns.</summary>
    public const int MaxQualifier = 64;

    /// <summary>Lowercase words of letters and digits joined by single hyphens: slugs and tags.</summary>
    [GeneratedRegex(@"^[a-z0-9]+(?:-[a-z0-9]+)*\z", RegexOptions.CultureInvariant)]
    public static partial Regex Kebab();

    /// <summary>Checks every field, naming each bad one in <paramref name="errors"/>; returns the normalised fields when all hold.</summary>
    public static ClaimFields? Validate(CreateClaimRequest request, ValidationErrors errors)
    {
        if (string.IsNullOrEmpty(request.Slug)) errors.Add("slug", "slug is required.");
        else if (request.Slug.Length > Limits.Slug || !Kebab().IsMatch(request.Slug))
        {
            errors.Add("slug", $"slug must be 1 to {Limits.Slug} lowercase letters and digits in words joined by single hyphens, e.g. bytedance-ai-chips-budget-2025.");
        }
        errors.Text("statement", request.Statement, Limits.Statement);
        if (request.Kind is null) errors.Add("kind", "kind is required: quantity, event or assertion.");
        Reference(errors, "subject", request.Subject, required: true);
        Reference(errors, "claimant", request.Claimant, required: false);
        Reference(errors, "partOf", request.PartOf, required: false);
        var tags = Tags(errors, request.Tags);
        var translations = ClaimLanguages.Translations(request.Statements, request.Statement, errors);

        Quantity? quantity = null;
        if (request.Kind == ClaimKind.Quantity)
        {
            if (request.Quantity is null) errors.Add("quantity", "quantity is required for a quantity claim.");
            else quantity = Figures(errors, request.Quantity);
        }
        else if (request.Quantity is not null && request.Kind is not null)
        {
            errors.Add("quantity", "Only quantity claims carry a quantity.");
        }

        if (request.Kind == ClaimKind.Event)
        {
            if (request.OccurredOn is null) errors.Add("occurredOn", "occurredOn (YYYY-MM-DD) is required for an event claim.");
        }
        else if (request.Kind is not null)
        {
            if (request.OccurredOn is not null) errors.Add("occurredOn", "Only event claims carry occurredOn.");
            if (request.DatePrecision is not null) errors.Add("datePrecision", "Only event claims carry datePrecision.");
        }

        if (errors.Any) return null;
        var isEvent = request.Kind == ClaimKind.Event;
        return new ClaimFields(
            request.Slug, request.Statement.Trim(), request.Kind!.Value, request.Subject, request.Claimant, tags, request.PartOf,
            quantity, isEvent ? request.OccurredOn : null, isEvent ? request.DatePrecision ?? DatePrecision.Day : null, translations);
    }

    /// <summary>An id or slug: checked for shape here, resolved against the database later (422 when it names nothing).</summary>
    private static void Reference(ValidationErrors errors, string field, string? value, bool required)
    {
        if (value is null)
        {
            if (required) errors.Add(field, $"{field} is required: an id or slug.");
        }
        else if (string.IsNullOrWhiteSpace(value) || value.Length > Limits.Slug)
        {
            errors.Add(field, $"{field} must be an id or slug of 1 to {Limits.Slug} characters.");
        }
    }

    private static List<string> Tags(ValidationErrors errors, IReadOnlyList<string>? tags)
    {
        foreach (var tag in tags ?? [])
        {
            if (tag is null || tag.Length > Limits.Tag || !Kebab().IsMatch(tag))
            {
                errors.Add("tags", $"'{tag}' is not a tag: 1 to {Limits.Tag} lowercase letters and digits, words joined by single hyphens.");
            }
        }
        var distinct = (tags ?? []).Where(t => t is not null).Distinct(StringComparer.Ordinal).ToList();
        if (distinct.Count > MaxTags) errors.Add("tags", $"At most {MaxTags} distinct tags.");
        return distinct;
    }

    private static Quantity? Figures(ValidationErrors errors, QuantityRequest q)
    {
        if (q.Amount is null) errors.Add("quantity.amount", "quantity.amount is required.");
        errors.Text("quantity.unit", q.Unit, MaxUnit);
        Qualifier(errors, "quantity.period", q.Period);
        Qualifier(errors, "quantity.scope", q.Scope);
        if (q.Amount is { } amount)
        {
            if (q.LowerBound > amount) errors.Add("quantity.lowerBound", "quantity.lowerBound must not exceed quantity.amount.");
            if (q.UpperBound < amount) errors.Add("quantity.upperBound", "quantity.upperBound must not be below quantity.amount.");
        }
        // Only used when every field holds: Validate returns nothing while errors are recorded.
        if (q.Amount is null || q.Unit is null) return null;
        return new Quantity
        {
            Amount = q.Amount.Value, Unit = q.Unit.Trim(), Approximate = q.Approximate ?? false,
            Period = q.Period?.Trim(), Scope = q.Scope?.Trim(), LowerBound = q.LowerBound, UpperBound = q.UpperBound,
        };
    }

    private static void Qualifier(ValidationErrors errors, string field, string? value)
    {
        if (value is not null && (string.IsNullOrWhiteSpace(value) || value.Length > MaxQualifier))
        {
            errors.Add(field, $"{field} must be 1 to {MaxQualifier} characters when given.");
        }
    }
}
