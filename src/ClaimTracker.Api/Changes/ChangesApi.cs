namespace ClaimTracker.Api.Changes;

public static class ChangesApi
{
    public static RouteGroupBuilder MapClaimHistory(this IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/claims").WithTags("History");
        return group;
    }
}
