namespace ClaimTracker.Api.Entities;

public static class EntitiesApi
{
    public static RouteGroupBuilder MapEntities(this IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/entities").WithTags("Entities");
        return group;
    }
}
