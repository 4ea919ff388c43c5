namespace ClaimTracker.Api.Sources;

public static class SourcesApi
{
    public static RouteGroupBuilder MapSources(this IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/sources").WithTags("Sources");
        return group;
    }
}
