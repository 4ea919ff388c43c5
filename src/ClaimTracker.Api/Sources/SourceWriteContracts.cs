using System.ComponentModel.DataAnnotations;
using System.Linq.Expressions;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Data;
using ClaimTracker.Api.Http;

namespace ClaimTracker.Api.Sources;

/// <summary>
/// A new source. `kind` and `title` are required; `url` (absolute http or https) is unique; `language` is a BCP 47 tag;
/// `anonymous` defaults to false and `reliability` to `unrated`; `content` is the full text quotes are anchored in.
/// </summary>
public sealed record CreateSourceRequest(
    [property: Required] SourceKind? Kind, [property: Required] string Title, string? Url, string? Publisher, string? Author,
    string? Language, DateTimeOffset? PublishedAt, bool? Anonymous, SourceReliability? Reliability, string? Content)
{
    /// <summary>Checks every field; each bad one is named in <paramref name="errors"/>.</summary>
    public void Validate(ValidationErrors errors)
    {
        if (Kind is null) errors.Add("kind", "kind is required.");
        errors.Text("title", Title, Limits.Title);
        SourceFields.Url(errors, Url);
        SourceFields.OptionalName(errors, "publisher", Publisher);
        SourceFields.OptionalName(errors, "author", Author);
        SourceFields.Language(errors, Language);
        if (Content is not null) errors.Text("content", Content, Limits.Content);
    }

    /// <summary>The row to insert at revision 1, with that revision kept; call after <see cref="Validate"/> passed.</summary>
    public Source ToSource(DateTimeOffset now)
    {
        var hash = SourceFields.Sha256(Content);
        return new Source
        {
            Kind = Kind!.Value, Title = Title.Trim(), Url = Url?.Trim(), Publisher = Publisher?.Trim(), Author = Author?.Trim(),
            Language = SourceFields.CanonicalLanguage(Language), PublishedAt = PublishedAt, Anonymous = Anonymous ?? false,
            Reliability = Reliability ?? SourceReliability.Unrated, Content = Content, ContentSha256 = hash, Revision = 1,
            CreatedAt = now, UpdatedAt = now,
            Revisions = [new SourceRevision { Revision = 1, Content = Content, ContentSha256 = hash, CreatedAt = now }],
        };
    }
}

/// <summary>The source's new full text (at most 500,000 characters); quotes are re-anchored in it.</summary>
public sealed record ReviseContentRequest([property: Required] string Content);

/// <summary>
/// A source after `PUT /sources/{id}/content`: `reanchored` counts its quotes found in the content as it now stands,
/// `orphaned` lists those that no longer are (kept, with their text, for an editor to fix).
/// </summary>
public sealed record ContentRevisionResponse(SourceListItem Source, int Reanchored, IReadOnlyList<OrphanedQuote> Orphaned);

/// <summary>A quote that cannot be found in the source's current content.</summary>
public sealed record OrphanedQuote(Guid AppearanceId, Guid ClaimId, string Exact);

/// <summary>Rules and helpers for a source's fields, shared by its write endpoints.</summary>
public static partial class SourceFields
{
    /// <summary>Longest language tag the column holds (RFC 5646 §4.4.1 recommends supporting 35 characters).</summary>
    public const int LanguageLength = 35;

    /// <summary>Lowercase hex SHA-256 of the UTF-8 bytes; null for no content.</summary>
    public static string? Sha256(string? content) =>
        content is null ? null : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(content)));

    public static readonly Expression<Func<Source, Versioned<SourceListItem>>> ToVersionedListItem = s => new Versioned<SourceListItem>(
        new SourceListItem(s.Id, s.Kind, s.Title, s.Url, s.Publisher, s.Author, s.Language, s.PublishedAt, s.Anonymous,
            s.Reliability, s.ContentSha256, s.Revision, s.CreatedAt, s.UpdatedAt),
        s.Version);

    internal static void Url(ValidationErrors errors, string? url)
    {
        if (url is null) return;
        var text = url.Trim();
        if (text.Length > Limits.Url) errors.Add("url", $"url must be at most {Limits.Url} characters.");
        else if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
                 || uri.Host.Length == 0 || text.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            errors.Add("url", "url must be an absolute http or https URL, e.g. https://www.reuters.com/technology/…");
        }
    }

    /// <summary>Absent or null is fine; present, it is 1–200 characters of text.</summary>
    internal static void OptionalName(ValidationErrors errors, string field, string? text)
    {
        if (text is null) return;
        if (string.IsNullOrWhiteSpace(text)) errors.Add(field, $"{field} must not be blank; leave it out or send null.");
        else errors.OptionalText(field, text.Trim(), Limits.Name);
    }

    internal static void Language(ValidationErrors errors, string? language)
    {
        if (language is not null && (language.Length > LanguageLength || !LanguageTag().IsMatch(language)))
        {
            errors.Add("language", $"'{language}' is not a BCP 47 language tag (e.g. it, en-US, zh-Hant-TW).");
        }
    }

    /// <summary>RFC 5646 §2.1.1 case conventions: `EN-us` → `en-US`, `zh-hant` → `zh-Hant`; private-use parts lowercase.</summary>
    public static string? CanonicalLanguage(string? language)
    {
        if (language is null) return null;
        var parts = language.Split('-');
        var afterSingleton = false;
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i].ToLowerInvariant();
            if (i > 0 && !afterSingleton && part.Length == 2) part = part.ToUpperInvariant();
            else if (i > 0 && !afterSingleton && part.Length == 4 && char.IsLetter(part[0])) part = char.ToUpperInvariant(part[0]) + part[1..];
            afterSingleton |= part.Length == 1;
            parts[i] = part;
        }
        return string.Join('-', parts);
    }

    /// <summary>A primary language subtag (2–3 letters, or 5–8 registered), then subtags of 1–8 letters or digits.</summary>
    [GeneratedRegex("^(?:[A-Za-z]{2,3}|[A-Za-z]{5,8})(?:-[A-Za-z0-9]{1,8})*$")]
    private static partial Regex LanguageTag();
}
