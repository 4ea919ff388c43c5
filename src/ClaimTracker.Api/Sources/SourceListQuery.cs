using System.Globalization;
using System.Text.RegularExpressions;
using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Sources;

/// <summary>The query string of `GET /sources`, as sent.</summary>
public sealed partial record SourceListQuery
{
    /// <summary>Kind of source: article, report, statement, ruling, filing, social_post, dataset, other or fact_check.</summary>
    /// <example>article</example>
    [FromQuery(Name = "kind")] public string? Kind { get; init; }

    /// <summary>BCP 47 language of the source; `en` also matches `en-US`.</summary>
    /// <example>it</example>
    [FromQuery(Name = "language")] public string? Language { get; init; }

    /// <summary>`true` for unnamed-sources reports only, `false` to leave them out.</summary>
    /// <example>false</example>
    [FromQuery(Name = "anonymous")] public string? Anonymous { get; init; }

    /// <summary>Page size, 1–100 (default 20).</summary>
    /// <example>20</example>
    [FromQuery(Name = "limit")] public string? Limit { get; init; }

    /// <summary>The `nextCursor` of the previous page; opaque.</summary>
    [FromQuery(Name = "cursor")] public string? Cursor { get; init; }

    /// <summary>The only order of the source list, as its cursors name it.</summary>
    public const string Sort = "-created";

    /// <summary>Parses every parameter; each bad one is named in <paramref name="errors"/>.</summary>
    public SourceFilter Parse(ValidationErrors errors)
    {
        string? language = null;
        if (Language is not null)
        {
            if (LanguageTag().IsMatch(Language)) language = Language.ToLowerInvariant();
            else errors.Add("language", $"'{Language}' is not a BCP 47 language tag (e.g. it, en-US).");
        }
        bool? anonymous = null;
        if (Anonymous is not null)
        {
            if (bool.TryParse(Anonymous, out var value)) anonymous = value;
            else errors.Add("anonymous", $"'{Anonymous}' is not true or false.");
        }
        var after = Keyset.Decode<DateTimeOffset>(Cursor, Sort, TryParseKey, errors);
        return new SourceFilter(errors.Enum<SourceKind>("kind", Kind), language, anonymous, errors.Limit(Limit), after);
    }

    private static bool TryParseKey(string key, out DateTimeOffset createdAt) =>
        DateTimeOffset.TryParseExact(key, "O", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out createdAt);

    [GeneratedRegex("^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8}){0,8}$")]
    private static partial Regex LanguageTag();
}

/// <summary>Parsed and validated filters and page position of `GET /sources`.</summary>
public sealed record SourceFilter(SourceKind? Kind, string? Language, bool? Anonymous, int Limit, After<DateTimeOffset>? After)
{
    public IQueryable<Source> Apply(IQueryable<Source> sources)
    {
        if (Kind is { } kind) sources = sources.Where(s => s.Kind == kind);
        // Basic filtering (RFC 4647 §3.3.1): `en` matches `en` and `en-US`; the tag holds no LIKE wildcards.
        if (Language is { } language)
        {
            var prefix = language + "-%";
            sources = sources.Where(s => s.Language!.ToLower() == language || EF.Functions.Like(s.Language!.ToLower(), prefix));
        }
        if (Anonymous is { } anonymous) sources = sources.Where(s => s.Anonymous == anonymous);
        return sources;
    }

    /// <summary>One page, newest first by (created_at, id) descending, strictly after the cursor's row.</summary>
    public Task<Page<SourceListItem>> PageAsync(IQueryable<Source> sources, CancellationToken cancellationToken)
    {
        if (After is { Key: var createdAt, Id: var id })
        {
            sources = sources.Where(s => EF.Functions.LessThan(ValueTuple.Create(s.CreatedAt, s.Id), ValueTuple.Create(createdAt, id)));
        }
        return Keyset.PageAsync(sources.OrderByDescending(s => s.CreatedAt).ThenByDescending(s => s.Id).Select(SourceProjections.ToListItem),
            Limit, SourceListQuery.Sort, row => (row.CreatedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture), row.Id), cancellationToken);
    }
}
