using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Data;
using ClaimTracker.Api.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClaimTracker.Api.ClaimReviews;

/// <summary>A schema.org `DataFeed` of ClaimReviews, newest change first; `nextCursor` continues it (null on the last page).</summary>
public sealed record ClaimReviewFeed(
    [property: JsonPropertyName("@context")] string Context,
    [property: JsonPropertyName("@type")] string Type,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? DateModified,
    IReadOnlyList<ClaimReviewFeedItem> DataFeedElement,
    string? NextCursor);

/// <summary>schema.org `DataFeedItem`: one claim's ClaimReview, with when the claim last changed.</summary>
public sealed record ClaimReviewFeedItem(
    [property: JsonPropertyName("@type")] string Type, DateTimeOffset DateModified, IReadOnlyList<ClaimReviewResponse> Item);

public static class ClaimReviewFeedApi
{
    private const string Sort = "claimreview-feed";

    /// <summary>The statuses that have a ClaimReview (a rating): confirmed, disputed, inconclusive, refuted, retracted.</summary>
    private static readonly ClaimStatus[] Reviewed = [.. Enum.GetValues<ClaimStatus>().Where(s => ClaimStatusRules.RatingOf(s) is not null)];

    public static RouteGroupBuilder MapClaimReviewFeed(this IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/claimreview").WithTags("ClaimReview");
        group.MapGet("/feed", GetFeed)
            .WithName("GetClaimReviewFeed")
            .WithSummary("Poll every reviewed claim's ClaimReview as a schema.org DataFeed")
            .WithDescription("`application/ld+json`: a `DataFeed` whose `dataFeedElement` holds one `DataFeedItem` per claim that " +
                             "has a verdict (confirmed, disputed, inconclusive, refuted, retracted), its `item` the claim's ClaimReview " +
                             "exactly as `GET /claims/{idOrSlug}/claimreview` serves it, its `dateModified` the claim's last change. " +
                             "Newest change first, keyset-paginated: follow `nextCursor` (or `Link: rel=\"next\"`) until it is null. " +
                             "`since` (ISO 8601) keeps the claims changed after it: poll with the `dateModified` of the newest item " +
                             "you hold. The `ETag` is the page's own; send it in `If-None-Match` to get 304 while the page is the same. " +
                             "Another ClaimTracker imports it with `POST /imports/claimreview`.")
            .Produces<ClaimReviewFeed>(StatusCodes.Status200OK, ClaimReviewApi.MediaType)
            .Produces(StatusCodes.Status304NotModified)
            .ProducesValidationProblem();
        return group;
    }

    /// <param name="since" example="2025-01-22T00:00:00Z">Only claims changed after this time (ISO 8601).</param>
    /// <param name="cursor">The `nextCursor` of the previous page; absent for the first.</param>
    /// <param name="limit" example="50">Reviews per page, 1–100 (50).</param>
    /// <param name="db">The database.</param>
    /// <param name="http">The request (`If-None-Match`, the claims' URLs) and the response (`ETag`, `Link`).</param>
    /// <param name="options">The publisher named in each review.</param>
    /// <param name="json">The API's JSON, for the ETag of what is sent.</param>
    /// <param name="cancellationToken">Aborted with the request.</param>
    private static async Task<Results<JsonHttpResult<ClaimReviewFeed>, StatusCodeHttpResult, ValidationProblem>> GetFeed(
        [FromQuery] string? since, [FromQuery] string? cursor, [FromQuery] string? limit, ClaimTrackerDbContext db, HttpContext http,
        IOptions<ClaimReviewOptions> options, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var size = errors.Limit(limit, defaultValue: 50, max: 100);
        var after = errors.Time("since", since);
        var position = Keyset.Decode<DateTimeOffset>(cursor, Sort, ParseKey, errors);
        if (errors.Any) return TypedResults.ValidationProblem(errors.ToDictionary());

        var claims = db.Claims.AsNoTracking().Where(c => Reviewed.Contains(c.Status));
        if (after is { } from) claims = claims.Where(c => c.UpdatedAt > from);
        if (position is { } p) claims = claims.Where(c => EF.Functions.LessThan(ValueTuple.Create(c.UpdatedAt, c.Id), ValueTuple.Create(p.Key, p.Id)));
        var page = await Keyset.PageAsync(
            claims.OrderByDescending(c => c.UpdatedAt).ThenByDescending(c => c.Id).Select(c => new FeedRow(c.Id, c.UpdatedAt)),
            size, Sort, row => (row.UpdatedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture), row.Id), cancellationToken);

        var ids = page.Items.Select(r => r.Id).ToList();
        var facts = await db.Claims.AsNoTracking().Where(c => ids.Contains(c.Id)).Select(ClaimReviewApi.ToFacts)
            .ToDictionaryAsync(f => f.Id, cancellationToken);
        // A claim whose status left the reviewed ones between the two reads is left out of this page.
        var items = page.Items
            .Where(r => facts.ContainsKey(r.Id))
            .Select(r => (r.UpdatedAt, Review: ClaimReviewApi.Build(facts[r.Id], http.Request, options.Value)))
            .Where(r => r.Review is not null)
            .Select(r => new ClaimReviewFeedItem("DataFeedItem", r.UpdatedAt, [r.Review!]))
            .ToList();
        var feed = new ClaimReviewFeed("https://schema.org", "DataFeed", items.FirstOrDefault()?.DateModified, items, page.NextCursor);

        var etag = $"\"{Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(feed, json.Value.SerializerOptions)))[..32]}\"";
        http.Response.Headers.ETag = etag;
        PageLinks.SetNextLink(http, page.NextCursor);
        if (ETags.IfNoneMatchHits(http.Request, etag)) return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        return TypedResults.Json(feed, contentType: ClaimReviewApi.MediaType);
    }

    private static bool ParseKey(string text, out DateTimeOffset key) =>
        DateTimeOffset.TryParseExact(text, "O", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out key);

    private sealed record FeedRow(Guid Id, DateTimeOffset UpdatedAt);
}
