using ClaimTracker.Api.Data;
using ClaimTracker.Api.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Checks;

/// <summary>The query string of `GET /checks/consistency`, as sent.</summary>
public sealed record ConsistencyQuery
{
    /// <summary>Only totals about this entity: its id or slug.</summary>
    /// <example>bytedance</example>
    [FromQuery(Name = "subject")] public string? Subject { get; init; }

    /// <summary>Only findings of at least this severity: low (default), medium or high.</summary>
    /// <example>low</example>
    [FromQuery(Name = "minSeverity")] public string? MinSeverity { get; init; }
}

public static class ConsistencyApi
{
    public static RouteGroupBuilder MapChecks(this IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/checks").WithTags("Checks");

        group.MapGet("/consistency", CheckConsistency)
            .WithName("CheckConsistency")
            .WithSummary("List quantity claims whose parts do not add up to their total")
            .WithDescription("For every `quantity` claim with `quantity` parts (`partOf`), the parts in the total's unit are " +
                             "summed (parts in another unit are listed with `counted: false`); a total they do not match is a " +
                             "finding with `sumOfParts`, `difference` (sum − total), `relativeDifference` (difference / total, " +
                             "6 decimals) and a `severity`. Exact figures tolerate no difference (at least `medium`, `high` over " +
                             "10%); an approximate total or part tolerates 1% of rounding, then `low` to 5%, `medium` to 10%, " +
                             "`high` beyond. Most severe first. The seeded story's `bytedance-ai-chips-budget-2025` (about $12B) " +
                             "against $5.5B + $6.8B gives `sumOfParts` 12300000000, `difference` 300000000, " +
                             "`relativeDifference` 0.025, `low`. Filters: `subject` (entity id or slug), `minSeverity`.")
            .ProducesValidationProblem();

        return group;
    }

    private static async Task<Results<Ok<ConsistencyReport>, ValidationProblem>> CheckConsistency(
        [AsParameters] ConsistencyQuery query, ClaimTrackerDbContext db, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        if (query.Subject is { Length: 0 or > 200 }) errors.Add("subject", "subject must be 1 to 200 characters.");
        var minSeverity = errors.Enum<Severity>("minSeverity", query.MinSeverity) ?? Severity.Low;
        if (errors.Any) return TypedResults.ValidationProblem(errors.ToDictionary());

        var rows = Mismatches(db);
        if (query.Subject is { } subject)
        {
            rows = Guid.TryParse(subject, out var id) ? rows.Where(r => r.SubjectId == id) : rows.Where(r => r.SubjectSlug == subject);
        }
        var findings = (await rows.ToListAsync(cancellationToken))
            .GroupBy(r => r.Id)
            .Select(ToFinding)
            .OfType<ConsistencyFinding>()
            .Where(f => f.Severity >= minSeverity)
            .OrderByDescending(f => f.Severity)
            .ThenByDescending(f => Math.Abs(f.RelativeDifference ?? decimal.MaxValue))
            .ThenBy(f => f.Total.Slug, StringComparer.Ordinal)
            .ToList();
        return TypedResults.Ok(new ConsistencyReport(findings));
    }

    private static ConsistencyFinding? ToFinding(IGrouping<Guid, MismatchRow> rows)
    {
        var t = rows.First();
        return ConsistencyRules.Check(
            new ConsistencyTotal(t.Id, t.Slug, t.Statement, t.Amount, t.Unit, t.Approximate, t.LowerBound, t.UpperBound),
            rows.OrderBy(r => r.PartSlug, StringComparer.Ordinal).Select(r => (r.PartId, r.PartSlug, r.PartAmount, r.PartUnit, r.PartApproximate)));
    }

    /// <summary>A total that its parts in its unit do not sum to exactly, once per quantity part (in any unit).</summary>
    private sealed record MismatchRow(
        Guid Id, string Slug, string Statement, decimal Amount, string Unit, bool Approximate, decimal? LowerBound,
        decimal? UpperBound, Guid SubjectId, string SubjectSlug,
        Guid PartId, string PartSlug, decimal PartAmount, string PartUnit, bool PartApproximate);

    /// <summary>
    /// One grouped statement: GROUP BY sums each total's parts in its unit and keeps the totals the sum misses (HAVING);
    /// their quantity parts, in every unit, come with them. Raw SQL because EF Core turns a SUM over the owned quantity
    /// into a correlated subquery per group.
    /// </summary>
    private static IQueryable<MismatchRow> Mismatches(ClaimTrackerDbContext db) => db.Database.SqlQuery<MismatchRow>($"""
        SELECT t.id, t.slug, t.statement, t.quantity_amount AS amount, t.quantity_unit AS unit,
               t.quantity_approximate AS approximate, t.quantity_lower_bound AS lower_bound,
               t.quantity_upper_bound AS upper_bound, t.subject_id, e.slug AS subject_slug,
               p.id AS part_id, p.slug AS part_slug, p.quantity_amount AS part_amount, p.quantity_unit AS part_unit,
               p.quantity_approximate AS part_approximate
        FROM (
            SELECT part.part_of_id AS total_id
            FROM claims part
            JOIN claims total ON total.id = part.part_of_id
            WHERE part.quantity_amount IS NOT NULL AND part.quantity_unit = total.quantity_unit
            GROUP BY part.part_of_id, total.quantity_amount
            HAVING sum(part.quantity_amount) <> total.quantity_amount
        ) mismatch
        JOIN claims t ON t.id = mismatch.total_id AND t.kind = 'quantity'
        JOIN entities e ON e.id = t.subject_id
        JOIN claims p ON p.part_of_id = t.id AND p.quantity_amount IS NOT NULL
        """);
}
