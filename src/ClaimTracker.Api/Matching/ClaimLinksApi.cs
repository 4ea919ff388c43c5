using System.ComponentModel.DataAnnotations;
using ClaimTracker.Api.Auth;
using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Data;
using ClaimTracker.Api.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Matching;

/// <summary>An editor's decision on two claims: `duplicate` or `related`, `confirmed` or `rejected`.</summary>
public sealed record LinkRequest([property: Required] LinkRelation? Relation, [property: Required] LinkState? State);

/// <summary>
/// A link as stored: `claim` is a `duplicate` of (or `related` to) `other`; `suggested` by the matcher (with its `score`)
/// when `claim` was recorded, or `confirmed` / `rejected` by `decidedBy` at `decidedAt`.
/// </summary>
public sealed record LinkResponse(
    ClaimRef Claim, ClaimRef Other, LinkRelation Relation, LinkState State, double? Score, DateTimeOffset CreatedAt,
    string? DecidedBy, DateTimeOffset? DecidedAt);

/// <summary>A claim's links, either way round; `duplicateOf` is the claim it is a confirmed duplicate of, if any.</summary>
public sealed record LinksResponse(ClaimRef? DuplicateOf, IReadOnlyList<LinkResponse> Items);

/// <summary>`GET /claims/{idOrSlug}/links` and `PUT /claims/{idOrSlug}/links/{otherIdOrSlug}`.</summary>
public static class ClaimLinksApi
{

    public static RouteGroupBuilder MapClaimLinks(this RouteGroupBuilder claims)
    {
        claims.MapGet("/{idOrSlug}/links", GetLinks)
            .WithName("GetClaimLinks")
            .WithSummary("The claims this one is a duplicate of or related to, suggested or decided")
            .WithDescription("Links either way round, newest first: those the matcher suggested when a claim was recorded " +
                             "(`suggested`, with its `score`), and those an editor `confirmed` or `rejected` (who and when). " +
                             "`duplicateOf` names the claim this one is a confirmed duplicate of.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        claims.MapPut("/{idOrSlug}/links/{otherIdOrSlug}", PutLink)
            .RequireAuthorization(Policies.Edit)
            .WithName("PutClaimLink")
            .WithSummary("Confirm or reject that a claim is a duplicate of (or related to) another")
            .WithDescription("`{ \"relation\": \"duplicate\", \"state\": \"confirmed\" }` on `/claims/{a}/links/{b}` says a is " +
                             "a duplicate of b (b shows nothing; a shows `duplicateOf: b`); `rejected` records that it is not. " +
                             "Replaces whatever link the two claims had, either way round, keeping the matcher's score. 201 " +
                             "when the two had no link, else 200. A claim is a confirmed duplicate of one claim at most: " +
                             "confirming a second is 409 `/problems/already-a-duplicate`. Both claims get a new ETag.")
            .Produces<LinkResponse>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return claims;
    }

    private static async Task<Results<Ok<LinksResponse>, ProblemHttpResult>> GetLinks(
        string idOrSlug, ClaimTrackerDbContext db, CancellationToken cancellationToken)
    {
        var id = await db.Claims.AsNoTracking().WhereIdOrSlug(idOrSlug).Select(c => (Guid?)c.Id).FirstOrDefaultAsync(cancellationToken);
        if (id is not { } claimId) return ClaimLookup.NotFound(idOrSlug);
        var links = await db.ClaimLinks.AsNoTracking()
            .Where(l => l.ClaimId == claimId || l.OtherId == claimId)
            .OrderByDescending(l => l.DecidedAt ?? l.CreatedAt).ThenBy(l => l.OtherId)
            .Select(ToResponse)
            .ToListAsync(cancellationToken);
        var duplicateOf = links.FirstOrDefault(l => l.Claim.Id == claimId && l is { Relation: LinkRelation.Duplicate, State: LinkState.Confirmed })?.Other;
        return TypedResults.Ok(new LinksResponse(duplicateOf, links));
    }

    private static async Task<Results<Created<LinkResponse>, Ok<LinkResponse>, ValidationProblem, ProblemHttpResult>> PutLink(
        string idOrSlug, string otherIdOrSlug, LinkRequest request, ClaimTrackerDbContext db, HttpContext http, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        if (request.Relation is null) errors.Add("relation", "relation is required: duplicate or related.");
        if (request.State is null) errors.Add("state", "state is required: confirmed or rejected.");
        else if (request.State == LinkState.Suggested) errors.Add("state", "An editor confirms or rejects; only the matcher suggests.");
        if (errors.Any) return TypedResults.ValidationProblem(errors.ToDictionary());

        var claimId = await db.Claims.AsNoTracking().WhereIdOrSlug(idOrSlug).Select(c => (Guid?)c.Id).FirstOrDefaultAsync(cancellationToken);
        if (claimId is null) return ClaimLookup.NotFound(idOrSlug);
        var otherId = await db.Claims.AsNoTracking().WhereIdOrSlug(otherIdOrSlug).Select(c => (Guid?)c.Id).FirstOrDefaultAsync(cancellationToken);
        if (otherId is null) return ClaimLookup.NotFound(otherIdOrSlug);
        if (claimId == otherId)
        {
            errors.Add("otherIdOrSlug", "A claim is not linked to itself.");
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }

        // The two claims locked together (DatabaseLocks' order): two decisions on one pair queue, the second replaces the first.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await DatabaseLocks.LockClaimsAsync(db, [claimId, otherId], null, cancellationToken);
        var existing = await db.ClaimLinks
            .Where(l => (l.ClaimId == claimId && l.OtherId == otherId) || (l.ClaimId == otherId && l.OtherId == claimId))
            .FirstOrDefaultAsync(cancellationToken);
        if (request is { Relation: LinkRelation.Duplicate, State: LinkState.Confirmed }
            && await db.ClaimLinks.Where(l => l.ClaimId == claimId && l.OtherId != otherId
                                              && l.Relation == LinkRelation.Duplicate && l.State == LinkState.Confirmed)
                   .Select(l => l.Other.Slug).FirstOrDefaultAsync(cancellationToken) is { } original)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, type: ProblemTypes.AlreadyADuplicate,
                title: "Already a duplicate",
                detail: $"'{idOrSlug}' is a confirmed duplicate of '{original}' already: a claim duplicates one claim. Reject that " +
                        "link first if it was wrong. Nothing was changed.");
        }
        var now = clock.GetUtcNow();
        if (existing is { } same && same.ClaimId == claimId)
        {
            (same.Relation, same.State, same.DecidedBy, same.DecidedAt) = (request.Relation!.Value, request.State!.Value, http.User.ActorName(), now);
        }
        else
        {
            // The pair recorded the other way round: its decision is replaced by this one, in this direction.
            if (existing is not null)
            {
                await db.ClaimLinks.Where(l => l.ClaimId == otherId && l.OtherId == claimId).ExecuteDeleteAsync(cancellationToken);
            }
            db.ClaimLinks.Add(new ClaimLink
            {
                ClaimId = claimId.Value, OtherId = otherId.Value, Relation = request.Relation!.Value, State = request.State!.Value,
                Score = existing?.Score, CreatedAt = existing?.CreatedAt ?? now, DecidedBy = http.User.ActorName(), DecidedAt = now,
            });
        }
        await db.SaveChangesAsync(cancellationToken);
        // A claim's detail shows its confirmed duplicate: both claims get a new version (ETag), as for any change they show.
        await db.Claims.Where(c => c.Id == claimId || c.Id == otherId)
            .ExecuteUpdateAsync(u => u.SetProperty(c => c.UpdatedAt, now), cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        var link = await db.ClaimLinks.AsNoTracking().Where(l => l.ClaimId == claimId && l.OtherId == otherId).Select(ToResponse)
            .FirstAsync(cancellationToken);
        return existing is null ? TypedResults.Created($"/api/v1/claims/{link.Claim.Slug}/links", link) : TypedResults.Ok(link);
    }

    private static readonly System.Linq.Expressions.Expression<Func<ClaimLink, LinkResponse>> ToResponse = l => new LinkResponse(
        new ClaimRef(l.Claim.Id, l.Claim.Slug, l.Claim.Statement), new ClaimRef(l.Other.Id, l.Other.Slug, l.Other.Statement),
        l.Relation, l.State, l.Score, l.CreatedAt, l.DecidedBy, l.DecidedAt);
}
