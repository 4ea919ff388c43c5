using System.Globalization;
using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Http;
using Npgsql;

namespace ClaimTracker.Benchmarks.Measure;

/// <summary>
/// (d) The best-statement floor: the best single statement we can write by hand for the same response, one round trip,
/// PostgreSQL building the response's JSON, and the bare endpoint writing it as it comes (no record, no serializer).
/// Unlike (a) and (b) it is not taken from the API: it is the bar the API's own SQL is measured against, so it is written
/// here on purpose, and smoke mode checks that it answers the same JSON value as the API (the bytes differ only where
/// PostgreSQL escapes less than System.Text.Json: non-ASCII letters, `<`, `&`, `'`). It serves the canonical (English)
/// representation, the one the benchmark asks for.
/// </summary>
public sealed class BestStatements(NpgsqlDataSource dataSource, IReadOnlyDictionary<string, CapturedRequest> captured)
{
    /// <summary>The endpoints (d) is measured for.</summary>
    public static readonly IReadOnlySet<string> Endpoints = new HashSet<string> { "claim-by-id", "list-first", "list-deep" };

    /// <summary>Where the floor server answers (d): the API's paths under this prefix.</summary>
    public const string Prefix = "/best";

    /// <summary>A time as the API's JSON writes it (UtcTimeConverter): ISO 8601 UTC, trailing zeros of the fraction dropped, `Z`.</summary>
    private static string Utc(string column) => $"(to_json({column} AT TIME ZONE 'UTC') #>> '{{}}') || 'Z'";

    /// <summary>Every language's statement, English first, then the translations by ordinal tag (ClaimLanguages.All).</summary>
    private const string Statements = """
        ('{"en":' || to_json(c.statement)::text || coalesce((SELECT string_agg(',' || to_json(t.key)::text || ':' || to_json(t.value)::text, ''
            ORDER BY t.key COLLATE "C") FROM each(c.translations) AS t), '') || '}')::json
        """;

    /// <summary>The list item's fields (ClaimResponse), in its order, as JSON columns of the row `c` and its joins.</summary>
    private static readonly string ItemFields = $"""
        c.id, c.slug, c.statement, {Statements} AS statements, c.kind,
        (SELECT row_to_json(x) FROM (SELECT s.id, s.slug, s.name) AS x) AS subject,
        (SELECT row_to_json(x) FROM (SELECT cl.id, cl.slug, cl.name WHERE cl.id IS NOT NULL) AS x) AS claimant,
        (SELECT row_to_json(x) FROM (SELECT c.quantity_amount AS amount, c.quantity_unit AS unit, c.quantity_approximate AS approximate,
                c.quantity_period AS period, c.quantity_scope AS scope, c.quantity_lower_bound AS "lowerBound", c.quantity_upper_bound AS "upperBound"
            WHERE c.quantity_amount IS NOT NULL AND c.quantity_approximate IS NOT NULL AND c.quantity_unit IS NOT NULL) AS x) AS quantity,
        c.occurred_on AS "occurredOn", c.date_precision AS "datePrecision",
        (SELECT row_to_json(x) FROM (SELECT p.id, p.slug, p.statement WHERE p.id IS NOT NULL) AS x) AS "partOf"
        """;

    private const string Joins = """
        JOIN entities AS s ON s.id = c.subject_id
        LEFT JOIN entities AS cl ON cl.id = c.claimant_id
        LEFT JOIN claims AS p ON p.id = c.part_of_id
        """;

    /// <summary>GET /claims/{id}: the response's JSON and the row version, one row.</summary>
    public static readonly string DetailSql = $"""
        SELECT (SELECT row_to_json(d) FROM (SELECT {ItemFields},
                coalesce((SELECT json_agg(x ORDER BY x.slug) FROM (SELECT part.id, part.slug, part.statement
                    FROM claims AS part WHERE part.part_of_id = c.id) AS x), '[]') AS parts,
                c.tags, c.status, c.status_reason AS "statusReason", {Utc("c.status_changed_at")} AS "statusChangedAt",
                coalesce((SELECT json_agg(x.appearance ORDER BY x.created_at, x.id) FROM (SELECT a.created_at, a.id,
                        (SELECT row_to_json(y) FROM (SELECT a.id, a.stance,
                            (SELECT row_to_json(z) FROM (SELECT so.id, so.kind, so.title, so.url, so.publisher) AS z) AS source,
                            (SELECT row_to_json(z) FROM (SELECT a.quote_exact AS exact, a.quote_prefix AS prefix, a.quote_suffix AS suffix,
                                a.quote_start AS start, a.quote_end AS "end", a.quote_anchor AS anchor) AS z) AS quote) AS y) AS appearance
                    FROM appearances AS a JOIN sources AS so ON so.id = a.source_id WHERE a.claim_id = c.id) AS x), '[]') AS appearances,
                {Utc("c.created_at")} AS "createdAt", {Utc("c.updated_at")} AS "updatedAt",
                (SELECT row_to_json(x) FROM (SELECT o.id, o.slug, o.statement
                    FROM claim_links AS l JOIN claims AS o ON o.id = l.other_id
                    WHERE l.claim_id = c.id AND l.relation = 'duplicate' AND l.state = 'confirmed' LIMIT 1) AS x) AS "duplicateOf") AS d)::text,
            c.xmin
        FROM claims AS c
        {Joins}
        WHERE c.id = $1
        """;

    /// <summary>GET /claims?status=…[&amp;cursor=…]: one row per item (the page and one more), its JSON and its sort key.</summary>
    private static string ListSql(bool after) => $"""
        SELECT (SELECT row_to_json(d) FROM (SELECT {ItemFields},
                c.tags, c.status, c.status_reason AS "statusReason", {Utc("c.status_changed_at")} AS "statusChangedAt",
                {Utc("c.created_at")} AS "createdAt", {Utc("c.updated_at")} AS "updatedAt") AS d)::text,
            c.updated_at, c.id
        FROM (SELECT k.id, k.slug, k.statement, k.translations, k.kind, k.subject_id, k.claimant_id, k.part_of_id,
                k.quantity_amount, k.quantity_unit, k.quantity_approximate, k.quantity_period, k.quantity_scope,
                k.quantity_lower_bound, k.quantity_upper_bound, k.occurred_on, k.date_precision, k.tags, k.status, k.status_reason,
                k.status_changed_at, k.created_at, k.updated_at
            FROM claims AS k
            WHERE k.status = $1{(after ? " AND (k.updated_at, k.id) < ($3, $4)" : "")}
            ORDER BY k.updated_at DESC, k.id DESC
            LIMIT $2) AS c
        {Joins}
        ORDER BY c.updated_at DESC, c.id DESC
        """;

    /// <summary>The SQL (d) ran for each endpoint, with its parameters, as markdown for the report's appendix.</summary>
    public static string ToMarkdown(IReadOnlyDictionary<string, CapturedRequest> captured)
    {
        var text = new System.Text.StringBuilder();
        foreach (var endpoint in Endpoints.Where(captured.ContainsKey).Order())
        {
            var list = endpoint == "claim-by-id" ? null : ListOf(captured, endpoint);
            var parameters = list is null
                ? "$1 = the claim's id"
                : FormattableString.Invariant($"$1 = '{list.Status}', $2 = {list.Limit + 1}") + (list.At is { } at ? FormattableString.Invariant($", $3 = {at:O}, $4 = {list.CursorId}") : "");
            text.AppendLine($"#### {endpoint}: 1 statement").AppendLine().AppendLine("```sql").AppendLine($"-- {parameters}")
                .AppendLine((list is null ? DetailSql : ListSql(list.At is not null)).TrimEnd() + ";").AppendLine("```").AppendLine();
        }
        return text.ToString();
    }

    /// <summary>The claim's response JSON and its version; null when there is no such claim.</summary>
    public async Task<(string Json, uint Version)?> DetailAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(DetailSql);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = id });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken)) return null;
        return (reader.GetString(0), reader.GetFieldValue<uint>(1));
    }

    /// <summary>The page's JSON (`{"items":[…],"nextCursor":…}`) and its next cursor, for the captured list URL's filter and cursor.</summary>
    public async Task<(string Json, string? NextCursor)> ListAsync(string endpoint, CancellationToken cancellationToken)
    {
        var list = ListOf(captured, endpoint);
        await using var command = dataSource.CreateCommand(ListSql(list.At is not null));
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = list.Status });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = list.Limit + 1 });
        if (list.At is { } at)
        {
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = at });
            command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = list.CursorId });
        }
        var json = new System.Text.StringBuilder("{\"items\":[", 16_384);
        var rows = 0;
        (DateTimeOffset UpdatedAt, Guid Id) last = default;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                if (++rows > list.Limit) break;
                if (rows > 1) json.Append(',');
                json.Append(reader.GetString(0));
                last = (reader.GetFieldValue<DateTimeOffset>(1), reader.GetGuid(2));
            }
        }
        var next = rows > list.Limit
            ? new Cursor(ClaimSorts.Default, last.UpdatedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture), last.Id).Encode()
            : null;
        json.Append("],\"nextCursor\":").Append(next is null ? "null" : $"\"{next}\"").Append('}');
        return (json.ToString(), next);
    }

    /// <summary>The list's filter as the API ran it: the captured page command's status, page size and cursor.</summary>
    private static ListFilter ListOf(IReadOnlyDictionary<string, CapturedRequest> captured, string endpoint)
    {
        var page = captured[endpoint].Commands.LastOrDefault(c => c.Parameters.Any(p => p.Value is int))
                   ?? throw FloorQueries.Drift(endpoint, "no command carries the page size");
        var values = page.Parameters.Select(p => p.Value).ToList();
        return new ListFilter(
            values.OfType<string>().Single(), values.OfType<int>().Single() - 1,
            values.OfType<DateTimeOffset>().Cast<DateTimeOffset?>().SingleOrDefault(), values.OfType<Guid>().SingleOrDefault());
    }

    private sealed record ListFilter(string Status, int Limit, DateTimeOffset? At, Guid CursorId);
}
