using ClaimTracker.Api.Auth;
using ClaimTracker.Api.Data;
using ClaimTracker.Api.Entities;
using ClaimTracker.Api.Http;
using ClaimTracker.Api.Matching;
using ClaimTracker.Api.Webhooks;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClaimTracker.Api.Claims;

public static class ClaimWritesApi
{
    public static RouteGroupBuilder MapClaimWrites(this RouteGroupBuilder claims)
    {
        claims.MapPost("/", CreateClaim)
            .RequireAuthorization(Policies.Edit)
            .WithName("CreateClaim")
            .WithSummary("Record a new claim")
            .WithDescription("Starts `unverified`, with no history. `subject` and `claimant` are entity ids or slugs, `partOf` a claim's. " +
                             "`quantity` is required for (and only for) `kind: quantity`; `occurredOn` (with `datePrecision`, default " +
                             "`day`) for (and only for) `kind: event`. Tags are lowercase-kebab and deduplicated. Returns the claim, " +
                             "its `Location` and `ETag`. A claim the matcher finds tracked already (`POST /claims/match` says `duplicate` " +
                             "for its best candidate, by its `statement` or any of its `statements`) is 409 `/problems/possible-duplicate` with the `candidates`; send " +
                             "`\"notDuplicateOf\": [id]` to create it anyway (recorded as a rejected link). What the matcher " +
                             "finds is kept as `suggested` links (`GET /claims/{idOrSlug}/links`). Example: `{ \"slug\": \"bytedance-ai-chips-abroad-2025\", \"statement\": " +
                             "\"ByteDance plans to spend $6.8 billion on AI infrastructure abroad in 2025.\", \"kind\": \"quantity\", " +
                             "\"subject\": \"bytedance\", \"partOf\": \"bytedance-ai-chips-budget-2025\", \"tags\": [\"ai-chips\"], " +
                             "\"quantity\": { \"amount\": 6800000000, \"unit\": \"USD\", \"period\": \"2025\", \"scope\": \"abroad\" } }`.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        claims.MapPatch("/{idOrSlug}", PatchClaim)
            .RequireAuthorization(Policies.Edit)
            .Accepts<ClaimPatchDocument>(ClaimMergePatch.MediaType, "application/json")
            .WithName("PatchClaim")
            .WithSummary("Edit a claim's fields (JSON Merge Patch)")
            .WithDescription("RFC 7396 merge patch of `slug`, `statement`, `kind`, `subject`, `claimant`, `tags`, `partOf`, `quantity`, " +
                             "`occurredOn` and `datePrecision`: named fields change, `null` clears an optional one, `quantity` merges " +
                             "field by field (`null` removes it), arrays are replaced whole. The result must satisfy the same rules as " +
                             "a new claim, so changing `kind` means sending the new kind's fields and nulling the old ones. The status " +
                             "changes only through `PUT /claims/{idOrSlug}/status`. Needs `If-Match`. Example: `{ \"quantity\": " +
                             "{ \"approximate\": true }, \"tags\": [\"ai-chips\", \"budget\"], \"claimant\": null }`.")
            .Produces<ClaimDetailResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status428PreconditionRequired);

        return claims;
    }

    private static async Task<Results<Created<ClaimDetailResponse>, ValidationProblem, ProblemHttpResult>> CreateClaim(
        CreateClaimRequest request, ClaimTrackerDbContext db, HttpContext http, TimeProvider clock, IOptions<MatchingOptions> matching,
        CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        if (ClaimRules.Validate(request, errors) is not { } fields) return TypedResults.ValidationProblem(errors.ToDictionary());

        var (references, broken) = await ResolveAsync(db, fields, null, ClaimMergePatch.Editable, cancellationToken);
        if (broken is not null) return broken;
        if (await db.Claims.AnyAsync(c => c.Slug == fields.Slug, cancellationToken)) return SlugTaken(fields.Slug);
        // Is it tracked already? A duplicate is refused unless the editor says it is not one (docs/decisions/012-claim-matching.md).
        if (await DuplicateGuard.CheckAsync(db, fields.Statement, fields.Translations, request.NotDuplicateOf, matching.Value.GuardOnCreate, errors,
                cancellationToken) is not { } guard)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }
        if (await DuplicateGuard.RefusalAsync(db, guard, cancellationToken) is { } refusal) return refusal;

        var now = clock.GetUtcNow();
        var claim = new Claim { Slug = fields.Slug, Statement = fields.Statement, CreatedAt = now, UpdatedAt = now };
        claim.Apply(fields, references!);
        db.Claims.Add(claim);
        var links = DuplicateGuard.Links(claim.Id, guard, http.User.ActorName(), now).ToList();
        db.ClaimLinks.AddRange(links);
        // Webhooks: the events are saved with the claim, in its transaction (the outbox), when a subscription wants them.
        var wanted = await WebhookOutbox.WantedAsync(db, cancellationToken);
        if (wanted.Contains(WebhookEventTypes.ClaimCreated) || wanted.Contains(WebhookEventTypes.ClaimDuplicateSuggested))
        {
            var subjectSlug = await db.Entities.AsNoTracking().Where(e => e.Id == claim.SubjectId).Select(e => e.Slug).SingleAsync(cancellationToken);
            var facts = new ClaimFacts(claim.Id, claim.Slug, claim.SubjectId, subjectSlug, claim.Status);
            if (wanted.Contains(WebhookEventTypes.ClaimCreated)) WebhookOutbox.ClaimCreated(db, facts, now);
            if (wanted.Contains(WebhookEventTypes.ClaimDuplicateSuggested))
            {
                WebhookOutbox.DuplicateSuggested(db, facts, [.. links.Where(l => l.State == LinkState.Suggested)
                    .Select(l => new SuggestedLink(l.OtherId, EnumWords.ToWord(l.Relation), l.Score))], now);
            }
        }
        // The parent lists its parts: its ETag must change with a new one, in the same transaction.
        await using var transaction = claim.PartOfId is null ? null : await db.Database.BeginTransactionAsync(cancellationToken);
        if (await SaveAsync(db, fields.Slug, cancellationToken) is { } failed) return failed;
        if (transaction is not null)
        {
            await db.Claims.Where(c => c.Id == claim.PartOfId).ExecuteUpdateAsync(u => u.SetProperty(c => c.UpdatedAt, now), cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        var row = await ClaimLookup.ReadDetailAsync(db, claim.Id, cancellationToken);
        return TypedResults.Created($"/api/v1/claims/{row.Value.Slug}",
            ClaimLanguages.Respond(http, row, ClaimLanguages.Preference(http.Request, null, errors)));
    }

    private static async Task<Results<Ok<ClaimDetailResponse>, ValidationProblem, ProblemHttpResult>> PatchClaim(
        string idOrSlug, ClaimTrackerDbContext db, HttpContext http, TimeProvider clock, IOptions<JsonOptions> json,
        CancellationToken cancellationToken)
    {
        if (!ClaimMergePatch.IsSupported(http.Request.ContentType)) return UnsupportedMediaType();
        var errors = new ValidationErrors();
        if (await ClaimMergePatch.ReadAsync(http.Request, errors, cancellationToken) is not { } patch)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }

        var claim = await db.Claims.WhereIdOrSlug(idOrSlug).FirstOrDefaultAsync(cancellationToken);
        if (claim is null) return ClaimLookup.NotFound(idOrSlug);
        switch (ETags.IfMatch(http.Request, ETags.For(claim.Version)))
        {
            case ETags.Precondition.Missing: return ETags.PreconditionRequired();
            case ETags.Precondition.Stale: return ETags.PreconditionFailed();
        }

        if (ClaimMergePatch.Apply(claim, patch, json.Value.SerializerOptions, errors) is not { } request
            || ClaimRules.Validate(request, errors) is not { } fields)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }
        var (references, broken) = await ResolveAsync(db, fields, claim, patch.Select(p => p.Key).ToHashSet(), cancellationToken);
        if (broken is not null) return broken;
        if (fields.Slug != claim.Slug && await db.Claims.AnyAsync(c => c.Slug == fields.Slug, cancellationToken)) return SlugTaken(fields.Slug);

        var oldPartOf = claim.PartOfId;
        claim.Apply(fields, references!);
        if (db.ChangeTracker.HasChanges())
        {
            var now = clock.GetUtcNow();
            claim.UpdatedAt = now;
            // The parent and the parts show this claim's slug and statement: their ETags must change with them.
            var entry = db.Entry(claim);
            var shownByRelatives = entry.Property(c => c.Slug).IsModified || entry.Property(c => c.Statement).IsModified
                                   || entry.Property(c => c.PartOfId).IsModified;
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            if (entry.Property(c => c.PartOfId).IsModified && claim.PartOfId is { } parent)
            {
                // Two concurrent patches, A under B and B under A, each pass the check above alone. Serialised here (every
                // patch that sets partOf takes this lock, held to commit), the second sees the first's commit and the cycle.
                await DatabaseLocks.LockPartOfAsync(db, cancellationToken);
                if (await IsInChainAsync(db, parent, claim.Id, cancellationToken)) return PartOfCycle(fields.PartOf!);
            }
            // The claim and the relatives bumped below, locked together in id order: a concurrent PATCH of a relative bumps
            // this claim, and locking one's own row first would let the two deadlock.
            if (shownByRelatives) await DatabaseLocks.LockClaimsAsync(db, [claim.Id, oldPartOf, claim.PartOfId], claim.Id, cancellationToken);
            try
            {
                // The UPDATE carries `WHERE xmin = <the version read>`: of concurrent writers holding one ETag, one wins.
                if (await SaveAsync(db, fields.Slug, cancellationToken) is { } failed) return failed;
            }
            catch (DbUpdateConcurrencyException)
            {
                return ETags.PreconditionFailed();
            }
            if (shownByRelatives)
            {
                var id = claim.Id;
                var newPartOf = claim.PartOfId;
                await db.Claims.Where(c => c.PartOfId == id || c.Id == oldPartOf || c.Id == newPartOf)
                    .ExecuteUpdateAsync(u => u.SetProperty(c => c.UpdatedAt, now), cancellationToken);
            }
            await transaction.CommitAsync(cancellationToken);
        }

        var row = await ClaimLookup.ReadDetailAsync(db, claim.Id, cancellationToken);
        return TypedResults.Ok(ClaimLanguages.Respond(http, row, ClaimLanguages.Preference(http.Request, null, errors)));
    }

    /// <summary>
    /// Resolves `subject`, `claimant` and `partOf` to ids; 422 when one names nothing, or when `partOf` would make the
    /// claim part of itself. A patch resolves only the fields it <paramref name="named"/>; the others keep their ids.
    /// </summary>
    private static async Task<(ClaimReferences?, ProblemHttpResult?)> ResolveAsync(
        ClaimTrackerDbContext db, ClaimFields fields, Claim? patched, IReadOnlySet<string> named, CancellationToken cancellationToken)
    {
        var (subjectId, claimantId, partOfId) = ((Guid?)patched?.SubjectId, patched?.ClaimantId, patched?.PartOfId);
        var unknown = new List<string>();
        if (named.Contains("subject"))
        {
            subjectId = await FindEntityAsync(db, fields.Subject, cancellationToken);
            if (subjectId is null) unknown.Add($"subject: no entity has the id or slug '{fields.Subject}'.");
        }
        if (named.Contains("claimant"))
        {
            claimantId = fields.Claimant is null ? null : await FindEntityAsync(db, fields.Claimant, cancellationToken);
            if (fields.Claimant is not null && claimantId is null) unknown.Add($"claimant: no entity has the id or slug '{fields.Claimant}'.");
        }
        if (unknown.Count > 0) return (null, ProblemTypes.RuleBroken(ProblemTypes.UnknownEntity, "Entity not found", string.Join(" ", unknown)));

        if (named.Contains("partOf"))
        {
            partOfId = fields.PartOf is null ? null
                : await db.Claims.AsNoTracking().WhereIdOrSlug(fields.PartOf).Select(c => (Guid?)c.Id).FirstOrDefaultAsync(cancellationToken);
            if (fields.PartOf is not null && partOfId is null)
            {
                return (null, ProblemTypes.RuleBroken(ProblemTypes.UnknownClaim, "Claim not found",
                    $"partOf: no claim has the id or slug '{fields.PartOf}'."));
            }
            if (patched is not null && partOfId is { } parent && await IsInChainAsync(db, parent, patched.Id, cancellationToken))
            {
                return (null, PartOfCycle(fields.PartOf!));
            }
        }
        return (new ClaimReferences(subjectId!.Value, claimantId, partOfId), null);
    }

    private static ProblemHttpResult PartOfCycle(string partOf) => ProblemTypes.RuleBroken(ProblemTypes.PartOfCycle,
        "Claim would be part of itself",
        $"partOf: '{partOf}' is this claim or one of its parts (directly or further down), so the claim would be part of itself.");

    private static Task<Guid?> FindEntityAsync(ClaimTrackerDbContext db, string idOrSlug, CancellationToken cancellationToken) =>
        db.Entities.AsNoTracking().WhereIdOrSlug(idOrSlug).Select(e => (Guid?)e.Id).FirstOrDefaultAsync(cancellationToken);

    /// <summary>Walks up the partOf chain from <paramref name="parent"/> in one query; true when it meets <paramref name="claimId"/>.</summary>
    private static async Task<bool> IsInChainAsync(ClaimTrackerDbContext db, Guid parent, Guid claimId, CancellationToken cancellationToken) =>
        (await db.Database.SqlQuery<bool>($"""
            WITH RECURSIVE chain (id, part_of_id) AS (
                SELECT id, part_of_id FROM claims WHERE id = {parent}
                UNION
                SELECT c.id, c.part_of_id FROM claims c JOIN chain ON c.id = chain.part_of_id)
            SELECT EXISTS (SELECT 1 FROM chain WHERE id = {claimId}) AS "Value"
            """).ToListAsync(cancellationToken)).Single();

    /// <summary>Saves; a unique-slug violation (a concurrent writer took the slug after our check) is 409.</summary>
    private static async Task<ProblemHttpResult?> SaveAsync(ClaimTrackerDbContext db, string slug, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return null;
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation("ix_claims_slug"))
        {
            return SlugTaken(slug);
        }
    }

    private static ProblemHttpResult SlugTaken(string slug) => TypedResults.Problem(
        statusCode: StatusCodes.Status409Conflict, type: ProblemTypes.SlugTaken, title: "Slug taken",
        detail: $"Another claim already has the slug '{slug}'. Choose another.");

    private static ProblemHttpResult UnsupportedMediaType() => TypedResults.Problem(
        statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type",
        detail: $"Send the patch as {ClaimMergePatch.MediaType} (or application/json).");
}
