namespace ClaimTracker.Api.Timeline;

public static class TimelineApi
{
    public static RouteGroupBuilder MapTimeline(this IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/timeline").WithTags("Timeline");
        return group;
    }
}
