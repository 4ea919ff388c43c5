using ClaimTracker.Api.Data;
using ClaimTracker.Api.Http;
using CsvHelper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace ClaimTracker.Api.Claims;

/// <summary>One row of the CSV export: the claim's own fields, with entities and the parent claim by slug.</summary>
public sealed record ClaimExportRow(
    Guid Id, string Slug, string Statement, ClaimKind Kind, ClaimStatus Status, string? StatusReason,
    DateTimeOffset? StatusChangedAt, string Subject, string? Claimant, List<string> Tags, string? PartOf,
    decimal? Amount, string? Unit, bool? Approximate, string? Period, string? Scope,
    DateOnly? OccurredOn, DatePrecision? DatePrecision, DateTimeOffset UpdatedAt);

public static class ClaimExportApi
{
    public const string ContentType = "text/csv; charset=utf-8";

    /// <summary>The columns, in order; <see cref="WriteRow"/> writes the fields in the same order.</summary>
    public static readonly string[] Columns =
    [
        "id", "slug", "statement", "kind", "status", "statusReason", "statusChangedAt", "subject", "claimant", "tags",
        "partOf", "amount", "unit", "approximate", "period", "scope", "occurredOn", "datePrecision", "updatedAt",
    ];

    // Rows are flushed to the client at least this often, so a slow query still streams.
    private const int FlushEveryRows = 500;
    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'";

    /// <summary>
    /// RFC 4180 with a UTF-8 byte order mark (without it Excel reads the file as ANSI and mangles ’ and è). Text cells that
    /// start with = + - @ tab or CR are escaped with a leading ' (OWASP CSV injection); numbers, dates and ids are not text,
    /// so a negative amount stays a number.
    /// </summary>
    private static readonly CsvWriterOptions CsvOptions = new()
    {
        WriteByteOrderMark = true,
        Injection = CsvInjection.Escape,
        InjectionCharacters = "=+-@\t\r",
        InjectionEscape = '\'',
        TrueValue = "true",
        FalseValue = "false",
    };

    public static RouteGroupBuilder MapClaimExport(this RouteGroupBuilder claims)
    {
        // A literal segment outranks `/{idOrSlug}`, so `export` is never taken for a slug.
        claims.MapGet("/export", ExportClaims)
            .WithName("ExportClaims")
            .WithSummary("Export every matching claim as CSV (spreadsheet-safe)")
            .WithDescription("Takes the filters of `GET /claims` (and its `sort`) and streams every match, not a page, as " +
                             "`text/csv; charset=utf-8` with a UTF-8 byte order mark, so Excel opens Italian text (’, è) intact. " +
                             "`limit` and `cursor` are rejected (400): the export has no pages. Columns: " +
                             string.Join(", ", Columns) + "; entities and `partOf` by slug, `tags` joined with `;`, times in " +
                             "ISO 8601 UTC. Text cells starting with `=`, `+`, `-`, `@`, tab or CR get a leading `'` so that no " +
                             "spreadsheet runs them as formulas. A search (`q`) stopped by the statement timeout is 422 " +
                             "`/problems/search-too-broad`, before any row is sent. e.g. `?subject=bytedance&status=disputed` " +
                             "gives the disputed budget claims, saved as `claims-YYYYMMDD.csv`.")
            .Produces(StatusCodes.Status200OK, contentType: "text/csv")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        return claims;
    }

    private static async Task<Results<PushStreamHttpResult, ValidationProblem, ProblemHttpResult>> ExportClaims(
        [AsParameters] ClaimListQuery query, ClaimTrackerDbContext db, IOptions<SearchOptions> search, HttpContext http,
        TimeProvider clock, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var filter = query.Parse(errors);
        if (query.Limit is not null) errors.Add("limit", "The export has no pages: it returns every match. Leave limit out.");
        if (query.Cursor is not null) errors.Add("cursor", "The export has no pages: it returns every match. Leave cursor out.");
        if (errors.Any) return TypedResults.ValidationProblem(errors.ToDictionary());

        // Up to the first row here, so that a search that runs too long is still a 422 rather than a cut-off file.
        var rows = await ClaimExportRows.OpenAsync(db, filter, search.Value, cancellationToken);
        if (rows is null) return SearchTransaction.TooBroad(search.Value);
        http.Response.RegisterForDisposeAsync(rows);
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"claims-{clock.GetUtcNow():yyyyMMdd}.csv\"";
        return TypedResults.Stream(body => WriteCsvAsync(body, rows.ReadAllAsync(), cancellationToken), ContentType);
    }

    /// <summary>Writes the header and then each row as it arrives from the database: memory stays at one buffer.</summary>
    public static async Task WriteCsvAsync(Stream body, IAsyncEnumerable<ClaimExportRow> rows, CancellationToken cancellationToken)
    {
        await using var csv = CsvWriter.Create(body, CsvOptions, leaveOpen: true);
        csv.WriteHeader(Columns);
        var count = 0;
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            WriteRow(csv, row);
            await csv.EndRecordAsync(cancellationToken);
            if (++count % FlushEveryRows == 0) await csv.FlushAsync(cancellationToken);
        }
        await csv.FlushAsync(cancellationToken);
    }

    private static void WriteRow(CsvWriter csv, ClaimExportRow row)
    {
        csv.WriteField(row.Id);
        csv.WriteField(row.Slug);
        csv.WriteField(row.Statement);
        csv.WriteField(EnumWords.ToWord(row.Kind));
        csv.WriteField(EnumWords.ToWord(row.Status));
        csv.WriteField(row.StatusReason);
        WriteTime(csv, row.StatusChangedAt);
        csv.WriteField(row.Subject);
        csv.WriteField(row.Claimant);
        csv.WriteField(string.Join(';', row.Tags));
        csv.WriteField(row.PartOf);
        csv.WriteField(row.Amount);
        csv.WriteField(row.Unit);
        if (row.Approximate is { } approximate) csv.WriteField(approximate);
        else csv.WriteField((string?)null);
        csv.WriteField(row.Period);
        csv.WriteField(row.Scope);
        csv.WriteField(row.OccurredOn);
        csv.WriteField(row.DatePrecision is { } precision ? EnumWords.ToWord(precision) : null);
        WriteTime(csv, row.UpdatedAt);
    }

    private static void WriteTime(CsvWriter csv, DateTimeOffset? time)
    {
        if (time is { } t) csv.WriteField(t.UtcDateTime, TimeFormat);
        else csv.WriteField((string?)null);
    }
}
