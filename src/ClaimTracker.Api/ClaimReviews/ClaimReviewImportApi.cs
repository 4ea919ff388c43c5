using System.Text.Json;
using ClaimTracker.Api.Auth;
using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Data;
using ClaimTracker.Api.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace ClaimTracker.Api.ClaimReviews;

public static class ClaimReviewImportApi
{
    private static readonly string[] MediaTypes = [ClaimReviewApi.MediaType, "application/json"];

    public static RouteGroupBuilder MapImports(this IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/imports").WithTags("Imports");
        group.MapPost("/claimreview", ImportClaimReviews)
            .RequireAuthorization(Policies.Edit)
            .Accepts<JsonElement>(ClaimReviewApi.MediaType, "application/json")
            .WithName("ImportClaimReviews")
            .WithSummary("Import schema.org ClaimReviews: one, an array, or a DataFeed")
            .WithDescription("`application/ld+json` or `application/json`: one `ClaimReview`, an array of them, or a `DataFeed` whose " +
                             "`dataFeedElement` holds reviews or `DataFeedItem`s (`{ \"item\": [..] }`); numbers may be strings, `author` " +
                             "and `itemReviewed.appearance` objects or arrays. Each review becomes a `fact_check` source (its `url`, " +
                             "`author.name` as publisher, `datePublished`, `inLanguage`; its text `claimReviewed`, the rating and " +
                             "`reviewBody`) and an appearance of the claim it reviews, quoting `claimReviewed`, with a stance from its " +
                             "rating: (ratingValue − worstRating) / (bestRating − worstRating) ≤ 0.25 `disputes`, ≥ 0.75 `supports`, else " +
                             "`reports`; without numbers, `alternateName` in English or Italian (True, Mostly true, Half true, " +
                             "Misleading, Mostly false, False, Pants on fire; Vero, C'eri quasi, Nì, Pinocchio andante, Panzana " +
                             "pazzesca, Falso). The claim is the one the matcher calls a `duplicate` (outcome `linked`), else a new " +
                             "`unverified` claim (`created`) with its claimant from `itemReviewed.author` (found by name or alias, or " +
                             "created). The review `url` is the key: the same review again is `unchanged`; another rating or text is " +
                             "`updated` (a new revision of its source, and an appearance for a new stance). A bad review is `rejected` " +
                             "with its `reason`, writing nothing, and the others go on. At most `ClaimReview:ImportMaxItems` (200) " +
                             "reviews and `Http:MaxRequestBodyBytes` (1 MiB) per request: 413 past either. Example: `{ \"@context\": " +
                             "\"https://schema.org\", \"@type\": \"ClaimReview\", \"url\": \"https://factcheck.example/flat\", " +
                             "\"claimReviewed\": \"The world is flat\", \"author\": { \"@type\": \"Organization\", \"name\": \"Example " +
                             "science watch\" }, \"reviewRating\": { \"@type\": \"Rating\", \"ratingValue\": \"1\", \"bestRating\": \"5\", " +
                             "\"worstRating\": \"1\", \"alternateName\": \"False\" } }`.")
            .Produces<ImportResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        return group;
    }

    private static async Task<Results<Ok<ImportResponse>, ProblemHttpResult>> ImportClaimReviews(
        HttpRequest request, ClaimTrackerDbContext db, TimeProvider clock, IOptions<ClaimReviewOptions> options,
        CancellationToken cancellationToken)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType)
            || !MediaTypes.Contains(contentType.MediaType.Value, StringComparer.OrdinalIgnoreCase))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type",
                detail: "Send the reviews as application/ld+json or application/json.");
        }
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(request.Body, cancellationToken: cancellationToken);
        }
        catch (JsonException)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The request body is invalid",
                detail: "The body is not well-formed JSON.");
        }
        using (document)
        {
            if (ClaimReviewReader.Items(document.RootElement) is not { } items)
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The request body is invalid",
                    detail: "The body is neither a ClaimReview, an array of them, nor a DataFeed.");
            }
            var max = options.Value.ImportMaxItems;
            if (items.Count > max)
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, type: ProblemTypes.TooManyItems,
                    title: "Too many reviews",
                    detail: $"The body holds {items.Count} reviews; one request takes at most {max} (ClaimReview:ImportMaxItems). " +
                            "Send them in several requests: reviews imported before are `unchanged`. Nothing was imported.");
            }
            return TypedResults.Ok(await ClaimReviewImport.ImportAsync(db, items, request.HttpContext.User.ActorName(), clock, cancellationToken));
        }
    }
}
