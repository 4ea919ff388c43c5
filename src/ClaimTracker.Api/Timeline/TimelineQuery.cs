using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Http;
using Microsoft.AspNetCore.Mvc;

namespace ClaimTracker.Api.Timeline;

/// <summary>The query string of `GET /timeline`, as sent.</summary>
public sealed record TimelineQuery
{
    /// <summary>Only events about this entity: its id or slug.</summary>
    /// <example>tiktok</example>
    [FromQuery(Name = "subject")] public string? Subject { get; init; }

    /// <summary>Events on or after this date (YYYY-MM-DD).</summary>
    /// <example>2025-01-19</example>
    [FromQuery(Name = "from")] public string? From { get; init; }

    /// <summary>Events on or before this date (YYYY-MM-DD).</summary>
    /// <example>2025-01-20</example>
    [FromQuery(Name = "to")] public string? To { get; init; }

    /// <summary>Confirmation status; repeat for any of several.</summary>
    /// <example>["confirmed"]</example>
    [FromQuery(Name = "status")] public string[]? Status { get; init; }

    /// <summary>Page size, 1–100 (default 20).</summary>
    /// <example>20</example>
    [FromQuery(Name = "limit")] public string? Limit { get; init; }

    /// <summary>The `nextCursor` of the previous page; opaque.</summary>
    [FromQuery(Name = "cursor")] public string? Cursor { get; init; }

    /// <summary>
    /// Parses every parameter into the claim list's own filter: `event` claims in `occurred` order, so the timeline
    /// pages with <see cref="ClaimSorts.PageAsync"/> like every other claim list.
    /// </summary>
    public ClaimFilter Parse(ValidationErrors errors)
    {
        var statuses = (Status ?? []).Select(s => errors.Enum<ClaimStatus>("status", s)).OfType<ClaimStatus>().ToArray();
        if (Subject is { Length: 0 or > 200 }) errors.Add("subject", "subject must be 1 to 200 characters.");
        var from = errors.Date("from", From);
        var to = errors.Date("to", To);
        if (from > to) errors.Add("to", $"to ({To}) is before from ({From}).");
        var after = Keyset.Decode(Cursor, ClaimSorts.Word(ClaimSort.OccurredAsc), ClaimSorts.KeyParser(ClaimSort.OccurredAsc), errors);

        return new ClaimFilter(
            statuses, Subject, Claimant: null, Source: null, ClaimKind.Event, Tag: null, PartOf: null,
            OccurredFrom: from, OccurredTo: to, UpdatedSince: null, ClaimSort.OccurredAsc, errors.Limit(Limit), after);
    }
}
