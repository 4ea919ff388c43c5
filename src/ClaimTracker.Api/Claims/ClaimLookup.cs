using System.ComponentModel.DataAnnotations.Schema;
using System.Text.Json;
using ClaimTracker.Api.Data;
using ClaimTracker.Api.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Claims;

/// <summary>Finding a claim by id or slug, and reading its detail: shared by every `/claims/{idOrSlug}` endpoint.</summary>
public static class ClaimLookup
{
    /// <summary>Claims are addressed by id or slug.</summary>
    public static IQueryable<Claim> WhereIdOrSlug(this IQueryable<Claim> claims, string idOrSlug) =>
        Guid.TryParse(idOrSlug, out var id) ? claims.Where(c => c.Id == id) : claims.Where(c => c.Slug == idOrSlug);

    public static ProblemHttpResult NotFound(string idOrSlug) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound, title: "Claim not found",
        detail: $"No claim has the id or slug '{idOrSlug}'.");

    /// <summary>The detail of the claim <paramref name="idOrSlug"/> names, with its row version; null when none does.</summary>
    public static Task<Versioned<ClaimDetailResponse>?> FindDetailAsync(ClaimTrackerDbContext db, string idOrSlug, CancellationToken cancellationToken) =>
        Guid.TryParse(idOrSlug, out var id) ? DetailById(db, id, cancellationToken) : DetailBySlug(db, idOrSlug, cancellationToken);

    /// <summary>The detail of a claim known to exist (after a write).</summary>
    public static async Task<Versioned<ClaimDetailResponse>> ReadDetailAsync(ClaimTrackerDbContext db, Guid id, CancellationToken cancellationToken) =>
        await DetailById(db, id, cancellationToken) ?? throw new InvalidOperationException($"Claim {id} vanished after a write.");

    private static Task<Versioned<ClaimDetailResponse>?> DetailById(ClaimTrackerDbContext db, Guid id, CancellationToken cancellationToken) =>
        ReadAsync(db.Database.SqlQueryRaw<ClaimDetailJson>(DetailSql + "WHERE c.id = {0}", id), cancellationToken);

    private static Task<Versioned<ClaimDetailResponse>?> DetailBySlug(ClaimTrackerDbContext db, string slug, CancellationToken cancellationToken) =>
        ReadAsync(db.Database.SqlQueryRaw<ClaimDetailJson>(DetailSql + "WHERE c.slug = {0}", slug), cancellationToken);

    /// <summary>The row <see cref="DetailSql"/> returns: the detail as JSON, and the claim's row version (the ETag's, xmin).</summary>
    public sealed record ClaimDetailJson(string Json, [property: Column(TypeName = "xid")] uint Version);

    private static async Task<Versioned<ClaimDetailResponse>?> ReadAsync(IQueryable<ClaimDetailJson> query, CancellationToken cancellationToken)
    {
        // Not FirstOrDefault: EF Core would wrap the statement in a subquery to add its LIMIT. The WHERE is on a unique key.
        await foreach (var row in query.AsAsyncEnumerable().WithCancellation(cancellationToken)) return Parse(row);
        return null;
    }

    /// <summary>The response record from the statement's row: the API's own JSON reader, so the response is written as before.</summary>
    public static Versioned<ClaimDetailResponse> Parse(ClaimDetailJson row) =>
        new(JsonSerializer.Deserialize<ClaimDetailResponse>(row.Json, DetailJson) ?? throw new JsonException("The claim's detail is null."), row.Version);

    private static readonly JsonSerializerOptions DetailJson = CreateDetailJson();

    private static JsonSerializerOptions CreateDetailJson()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        HttpSetup.Configure(options);
        return options;
    }

    /// <summary>
    /// A claim's detail in one statement, one round trip (decision 021): PostgreSQL builds the detail's JSON, the parts and
    /// appearances aggregated beside the claim (no rows multiplied, no second or third query), with the list item's
    /// convention that `statements` holds the translations alone (<see cref="ClaimLanguages.Present(ClaimDetailResponse, IReadOnlyList{string}, out string)"/>
    /// completes it). The same fields and orders as <see cref="ClaimProjections.ToDetail"/>, which a test holds it to,
    /// byte for byte, on every seeded claim. Run through EF Core, so that the read goes where the DbContext routes it
    /// (replicas) and is logged and traced as every other query.
    /// </summary>
    public const string DetailSql = """
        SELECT (SELECT row_to_json(d) FROM (SELECT c.id, c.slug, c.statement,
                coalesce(hstore_to_json(c.translations), json_build_object()) AS statements,
                c.kind,
                (SELECT row_to_json(x) FROM (SELECT s.id, s.slug, s.name) AS x) AS subject,
                (SELECT row_to_json(x) FROM (SELECT cl.id, cl.slug, cl.name WHERE cl.id IS NOT NULL) AS x) AS claimant,
                (SELECT row_to_json(x) FROM (SELECT c.quantity_amount AS amount, c.quantity_unit AS unit, c.quantity_approximate AS approximate,
                        c.quantity_period AS period, c.quantity_scope AS scope,
                        c.quantity_lower_bound AS "lowerBound", c.quantity_upper_bound AS "upperBound"
                    WHERE c.quantity_amount IS NOT NULL AND c.quantity_approximate IS NOT NULL AND c.quantity_unit IS NOT NULL) AS x) AS quantity,
                c.occurred_on AS "occurredOn", c.date_precision AS "datePrecision",
                (SELECT row_to_json(x) FROM (SELECT p.id, p.slug, p.statement WHERE p.id IS NOT NULL) AS x) AS "partOf",
                coalesce((SELECT json_agg(x ORDER BY x.slug) FROM (SELECT part.id, part.slug, part.statement
                    FROM claims AS part WHERE part.part_of_id = c.id) AS x), json_build_array()) AS parts,
                c.tags, c.status, c.status_reason AS "statusReason", c.status_changed_at AS "statusChangedAt",
                coalesce((SELECT json_agg(x.appearance ORDER BY x.created_at, x.id) FROM (SELECT a.created_at, a.id,
                        (SELECT row_to_json(y) FROM (SELECT a.id, a.stance,
                            (SELECT row_to_json(z) FROM (SELECT so.id, so.kind, so.title, so.url, so.publisher) AS z) AS source,
                            (SELECT row_to_json(z) FROM (SELECT a.quote_exact AS exact, a.quote_prefix AS prefix, a.quote_suffix AS suffix,
                                a.quote_start AS start, a.quote_end AS "end", a.quote_anchor AS anchor) AS z) AS quote) AS y) AS appearance
                    FROM appearances AS a JOIN sources AS so ON so.id = a.source_id WHERE a.claim_id = c.id) AS x), json_build_array()) AS appearances,
                c.created_at AS "createdAt", c.updated_at AS "updatedAt",
                (SELECT row_to_json(x) FROM (SELECT o.id, o.slug, o.statement
                    FROM claim_links AS l JOIN claims AS o ON o.id = l.other_id
                    WHERE l.claim_id = c.id AND l.relation = 'duplicate' AND l.state = 'confirmed' LIMIT 1) AS x) AS "duplicateOf") AS d)::text AS json,
            c.xmin AS version
        FROM claims AS c
        JOIN entities AS s ON s.id = c.subject_id
        LEFT JOIN entities AS cl ON cl.id = c.claimant_id
        LEFT JOIN claims AS p ON p.id = c.part_of_id

        """;
}
