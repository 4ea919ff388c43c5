using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Data;
using ClaimTracker.Api.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Timeline;

public static class TimelineApi
{
    public static RouteGroupBuilder MapTimeline(this IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/timeline").WithTags("Timeline");

        group.MapGet("/", GetTimeline)
            .WithName("GetTimeline")
            .WithSummary("List event claims in the order they happened")
            .WithDescription("`event` claims by `occurredOn` ascending (then id); events without a date come last. " +
                             "Filters: `subject` (an entity id or slug), `from` and `to` (inclusive dates, YYYY-MM-DD), " +
                             "`status` (repeatable). e.g. `?subject=tiktok&from=2025-01-19&to=2025-01-20` gives the US ban " +
                             "on 19 January and the restoration after Trump's order on the 20th. Keyset-paginated: follow " +
                             "`nextCursor` (or the `Link: rel=\"next\"` header) until it is null.")
            .ProducesValidationProblem();

        return group;
    }

    private static async Task<Results<Ok<Page<ClaimResponse>>, ValidationProblem>> GetTimeline(
        [AsParameters] TimelineQuery query, ClaimTrackerDbContext db, HttpContext http, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var filter = query.Parse(errors);
        if (errors.Any) return TypedResults.ValidationProblem(errors.ToDictionary());

        var page = await ClaimSorts.PageAsync(filter.Apply(db.Claims.AsNoTracking()), filter, cancellationToken);
        PageLinks.SetNextLink(http, page.NextCursor);
        return TypedResults.Ok(page);
    }
}
