using System.Text.Json.Serialization;
using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Http;
using Microsoft.AspNetCore.Mvc;

namespace ClaimTracker.Api.Stats;

/// <summary>The query string of `GET /stats`, as sent.</summary>
public sealed record StatsQuery
{
    public const int DefaultDays = 30;
    public const int MaxDays = 366;

    /// <summary>How many days `changesPerDay` covers, counting back from the day of the latest change: 1–366 (default 30).</summary>
    /// <example>30</example>
    [FromQuery(Name = "days")] public string? Days { get; init; }

    public int Parse(ValidationErrors errors)
    {
        if (Days is null) return DefaultDays;
        if (int.TryParse(Days, out var days) && days is >= 1 and <= MaxDays) return days;
        errors.Add("days", $"days must be an integer from 1 to {MaxDays}.");
        return DefaultDays;
    }
}

/// <summary>A count per status: all seven keys, zeros included.</summary>
public sealed record StatusCounts(
    int Unverified, [property: JsonPropertyName("in_review")] int InReview, int Confirmed, int Disputed, int Inconclusive,
    int Refuted, int Retracted)
{
    public static StatusCounts From(IEnumerable<(ClaimStatus Status, int Count)> counts)
    {
        var by = counts.GroupBy(c => c.Status).ToDictionary(g => g.Key, g => g.Sum(c => c.Count));
        int Of(ClaimStatus status) => by.GetValueOrDefault(status);
        return new StatusCounts(Of(ClaimStatus.Unverified), Of(ClaimStatus.InReview), Of(ClaimStatus.Confirmed),
            Of(ClaimStatus.Disputed), Of(ClaimStatus.Inconclusive), Of(ClaimStatus.Refuted), Of(ClaimStatus.Retracted));
    }
}

/// <summary>The claims about one entity.</summary>
public sealed record SubjectStats(EntityRef Subject, int Claims, StatusCounts ByStatus);

/// <summary>The status changes of one UTC day.</summary>
public sealed record DayChanges(DateOnly Day, int Changes);

/// <summary>
/// Aggregates for dashboards, all read from one snapshot: claims by status, the 20 subjects with most claims
/// (ties by slug), and status changes per UTC day, oldest first, days without changes included.
/// </summary>
public sealed record StatsResponse(
    int Claims, StatusCounts ByStatus, IReadOnlyList<SubjectStats> BySubject, IReadOnlyList<DayChanges> ChangesPerDay,
    DateTimeOffset GeneratedAt);
