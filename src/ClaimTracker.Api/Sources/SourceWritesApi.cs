using ClaimTracker.Api.Appearances;
using ClaimTracker.Api.Auth;
using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Data;
using ClaimTracker.Api.Http;
using ClaimTracker.Api.Webhooks;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Sources;

public static class SourceWritesApi
{
    /// <summary>Adds the editors' writes to the `/sources` group of <see cref="SourcesApi.MapSources"/>.</summary>
    public static RouteGroupBuilder MapSourceWrites(this RouteGroupBuilder group)
    {
        group.MapPost("/", CreateSource)
            .RequireAuthorization(Policies.Edit)
            .WithName("CreateSource")
            .WithSummary("Create a source, optionally with its full text")
            .WithDescription("`kind` and `title` are required; `url` (absolute http or https) must not belong to another source " +
                             "(409 otherwise); `language` is a BCP 47 tag; `anonymous` defaults to false, `reliability` to " +
                             "`unrated`. `content` becomes revision 1, with its SHA-256 in `contentSha256`. Returns 201 with " +
                             "`Location` and the source's `ETag`. Example: `{ \"kind\": \"report\", \"title\": \"ByteDance plans " +
                             "$12 billion AI chip spending in 2025\", \"url\": \"https://www.reuters.com/technology/bytedance-ai-chips-2025\", " +
                             "\"publisher\": \"Reuters\", \"language\": \"en\", \"publishedAt\": \"2025-01-22T00:00:00Z\", " +
                             "\"anonymous\": true, \"content\": \"ByteDance plans to spend about $12 billion on AI chips…\" }`.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);

        group.MapPut("/{id}/content", ReviseContent)
            .RequireAuthorization(Policies.Edit)
            .WithName("ReviseSourceContent")
            .WithSummary("Replace a source's text with a new revision and re-anchor its quotes")
            .WithDescription("Needs `If-Match` with the source's ETag. In one transaction: `revision` + 1 (earlier revisions are " +
                             "kept), a new `contentSha256`, and every quote of the source looked for again, by its `exact` text " +
                             "and old `prefix`/`suffix`, then by its `exact` text alone. Found once, it gets new offsets and " +
                             "context; not found, or found more than once without context to choose, it becomes `orphaned` " +
                             "(never deleted) and is listed in `orphaned`; the claims whose quotes changed get a new " +
                             "`updatedAt` and ETag. The same content again changes nothing. Example: `{ \"content\": \"ByteDance " +
                             "plans to spend about $12 billion on AI chips in 2025, sources said…\" }`.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status428PreconditionRequired);

        return group;
    }

    private static async Task<Results<Created<SourceDetailResponse>, ValidationProblem, ProblemHttpResult>> CreateSource(
        CreateSourceRequest request, ClaimTrackerDbContext db, HttpContext http, TimeProvider clock, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        request.Validate(errors);
        if (errors.Any) return TypedResults.ValidationProblem(errors.ToDictionary());

        var source = request.ToSource(clock.GetUtcNow());
        if (source.Url is { } url
            && await db.Sources.Where(s => s.Url == url).Select(s => (Guid?)s.Id).FirstOrDefaultAsync(cancellationToken) is { } owner)
        {
            return UrlTaken(url, owner);
        }
        db.Sources.Add(source);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation("ix_sources_url"))
        {
            // Another request took the url between the check above and this insert.
            return UrlTaken(source.Url!, null);
        }

        var row = await db.Sources.AsNoTracking().Where(s => s.Id == source.Id)
            .Select(SourceProjections.ToDetail)
            .FirstAsync(cancellationToken);
        http.Response.Headers.ETag = (await SourcesApi.DetailStateAsync(db, source.Id, row.Version, cancellationToken)).ETag;
        return TypedResults.Created($"/api/v1/sources/{source.Id}", row.Value);
    }

    /// <param name="id" example="01948ccf-8d80-7000-8000-000000000001">The source's id (a UUID).</param>
    /// <param name="request">The new full text.</param>
    /// <param name="db">The database.</param>
    /// <param name="http">The request, for `If-Match`, and the response, for `ETag`.</param>
    /// <param name="clock">The time of the revision.</param>
    /// <param name="cancellationToken">Aborted with the request.</param>
    private static async Task<Results<Ok<ContentRevisionResponse>, ValidationProblem, ProblemHttpResult>> ReviseContent(
        string id, ReviseContentRequest request, ClaimTrackerDbContext db, HttpContext http, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(id, out var sourceId)) return SourcesApi.NotFound(id);
        var source = await db.Sources.FirstOrDefaultAsync(s => s.Id == sourceId, cancellationToken);
        if (source is null) return SourcesApi.NotFound(id);
        switch (ETags.IfMatch(http.Request, (await SourcesApi.DetailStateAsync(db, source.Id, source.Version, cancellationToken)).ETag))
        {
            case ETags.Precondition.Missing: return ETags.PreconditionRequired();
            case ETags.Precondition.Stale: return ETags.PreconditionFailed();
        }

        var errors = new ValidationErrors();
        errors.Text("content", request.Content, Limits.Content);
        if (errors.Any) return TypedResults.ValidationProblem(errors.ToDictionary());

        var hash = SourceFields.Sha256(request.Content);
        if (hash != source.ContentSha256)
        {
            var now = clock.GetUtcNow();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            (source.Content, source.ContentSha256, source.Revision, source.UpdatedAt) = (request.Content, hash, source.Revision + 1, now);
            try
            {
                // The source's UPDATE goes first, alone: it carries `WHERE xmin = <the version read>`, so of concurrent
                // writers holding one ETag one wins; and its row lock waits for appearances being added (they hold the
                // row FOR SHARE), so the quotes read below include them.
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateConcurrencyException)
            {
                return ETags.PreconditionFailed();
            }
            db.SourceRevisions.Add(new SourceRevision
            {
                SourceId = source.Id, Revision = source.Revision, Content = request.Content, ContentSha256 = hash, CreatedAt = now,
            });
            var (changedClaims, orphaned) = await ReanchorQuotesAsync(db, source.Id, request.Content, cancellationToken);
            // Webhooks: the event commits with the revision (the outbox).
            await WebhookOutbox.SourceRevisedAsync(db, await WebhookOutbox.WantedAsync(db, cancellationToken), source.Id, source.Revision, orphaned,
                changedClaims, now, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            if (changedClaims.Count > 0)
            {
                // A claim shows its quotes: when one moved, the claim's `updatedAt` and ETag change with it.
                await DatabaseLocks.LockClaimsAsync(db, changedClaims.Select(id => (Guid?)id), partsOf: null, cancellationToken);
                await db.Claims.Where(c => changedClaims.Contains(c.Id))
                    .ExecuteUpdateAsync(s => s.SetProperty(c => c.UpdatedAt, now), cancellationToken);
            }
            await transaction.CommitAsync(cancellationToken);
        }

        var row = await db.Sources.AsNoTracking().Where(s => s.Id == sourceId)
            .Select(SourceFields.ToVersionedListItem)
            .FirstAsync(cancellationToken);
        var quotes = await db.Appearances.AsNoTracking()
            .Where(a => a.SourceId == sourceId && a.Quote.Anchor != AnchorState.Unanchored)
            .OrderBy(a => a.CreatedAt).ThenBy(a => a.Id)
            .Select(a => new { a.Id, a.ClaimId, a.Quote.Exact, a.Quote.Anchor })
            .ToListAsync(cancellationToken);
        http.Response.Headers.ETag = (await SourcesApi.DetailStateAsync(db, sourceId, row.Version, cancellationToken)).ETag;
        return TypedResults.Ok(new ContentRevisionResponse(row.Value,
            quotes.Count(q => q.Anchor == AnchorState.Anchored),
            [.. quotes.Where(q => q.Anchor == AnchorState.Orphaned).Select(q => new OrphanedQuote(q.Id, q.ClaimId, q.Exact))]));
    }

    /// <summary>Re-anchors every quote of the source in <paramref name="content"/>; returns the claims whose quotes changed, and the orphaned quotes' appearances.</summary>
    internal static async Task<(List<Guid> ChangedClaims, List<Guid> Orphaned)> ReanchorQuotesAsync(
        ClaimTrackerDbContext db, Guid sourceId, string content, CancellationToken cancellationToken)
    {
        var changedClaims = new HashSet<Guid>();
        var orphaned = new List<Guid>();
        foreach (var appearance in await db.Appearances.Where(a => a.SourceId == sourceId).ToListAsync(cancellationToken))
        {
            var quote = Reanchoring.Reanchor(content, appearance.Quote.Exact, appearance.Quote.Prefix, appearance.Quote.Suffix);
            if (quote.Anchor == AnchorState.Orphaned) orphaned.Add(appearance.Id);
            if (quote.SameAs(appearance.Quote)) continue;
            quote.ApplyTo(appearance.Quote);
            changedClaims.Add(appearance.ClaimId);
        }
        return ([.. changedClaims], orphaned);
    }

    private static ProblemHttpResult UrlTaken(string url, Guid? owner) => TypedResults.Problem(
        statusCode: StatusCodes.Status409Conflict, type: ProblemTypes.UrlTaken, title: "URL taken",
        detail: owner is { } id
            ? $"Source {id} already has the url '{url}'; a url identifies one source."
            : $"Another source already has the url '{url}'; a url identifies one source.");
}
