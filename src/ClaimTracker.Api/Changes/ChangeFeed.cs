using ClaimTracker.Api.Data;
using ClaimTracker.Api.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Changes;

/// <summary>The query string of `GET /changes`, as sent.</summary>
public sealed record ChangeFeedQuery
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    /// <summary>Only changes after this `seq` (default 0: from the start). Send the previous page's `nextAfter`.</summary>
    /// <example>0</example>
    [FromQuery(Name = "after")] public string? After { get; init; }

    /// <summary>Page size, 1–1000 (default 100).</summary>
    /// <example>100</example>
    [FromQuery(Name = "limit")] public string? Limit { get; init; }

    /// <summary>Parses both parameters; each bad one is named in <paramref name="errors"/>.</summary>
    public (long After, int Limit) Parse(ValidationErrors errors)
    {
        long after = 0;
        if (After is not null && !(long.TryParse(After, out after) && after >= 0))
        {
            errors.Add("after", "after must be a seq: an integer of 0 or more.");
        }
        return (after, errors.Limit(Limit, DefaultLimit, MaxLimit));
    }
}

/// <summary>
/// A page of the global status-change feed, oldest first. Poll again with `after` = `nextAfter`: it is the last
/// item's `seq`, or the `after` that was sent when there is nothing new.
/// </summary>
public sealed record ChangeFeedResponse(IReadOnlyList<StatusChangeResponse> Items, long NextAfter);

public static class ChangeFeed
{
    // The polling hot path: compiled once, a range scan on the primary key.
    private static readonly Func<ClaimTrackerDbContext, long, int, IAsyncEnumerable<StatusChange>> Page =
        EF.CompileAsyncQuery((ClaimTrackerDbContext db, long after, int limit) =>
            db.StatusChanges.AsNoTracking().Where(c => c.Seq > after).OrderBy(c => c.Seq).Take(limit));

    /// <summary>
    /// The changes after <paramref name="after"/>. Appends commit in seq order (each holds the chain lock until it
    /// commits), so a poller never sees a later seq before an earlier one and never skips a change.
    /// </summary>
    public static async Task<ChangeFeedResponse> PageAsync(
        ClaimTrackerDbContext db, long after, int limit, CancellationToken cancellationToken)
    {
        var items = new List<StatusChangeResponse>(Math.Min(limit, 128));
        await foreach (var change in Page(db, after, limit).WithCancellation(cancellationToken))
        {
            items.Add(change.ToResponse());
        }
        return new ChangeFeedResponse(items, items.Count > 0 ? items[^1].Seq : after);
    }
}
