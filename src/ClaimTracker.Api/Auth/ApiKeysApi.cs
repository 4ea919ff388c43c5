using ClaimTracker.Api.Data;
using ClaimTracker.Api.Http;
using ClaimTracker.Api.Idempotency;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Auth;

/// <summary>`name` labels the key (it becomes the `actor` of what the key changes); `role` is reader, editor or admin.</summary>
public sealed record CreateApiKeyRequest(string Name, Role Role);

/// <summary>A key as listed: never the key itself.</summary>
public sealed record ApiKeyResponse(Guid Id, string Name, Role Role, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

/// <summary>A new key: `key` is shown this once and cannot be recovered.</summary>
public sealed record CreatedApiKeyResponse(Guid Id, string Name, Role Role, string Key, DateTimeOffset CreatedAt);

public static class ApiKeysApi
{
    public static RouteGroupBuilder MapApiKeys(this IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/api-keys").WithTags("API keys").RequireAuthorization(Policies.Admin)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);

        group.MapPost("/", CreateKey).WithName("CreateApiKey")
            .WithSummary("Create an API key (shown once)")
            .WithDescription("Body: `{ \"name\": \"desk-editor\", \"role\": \"editor\" }`. Only the key's SHA-256 is stored. " +
                             "A retry with the same Idempotency-Key replays the status and Location but not the key, which is shown once.")
            .WithSecretResponse()
            .ProducesValidationProblem();
        group.MapGet("/", ListKeys).WithName("ListApiKeys").WithSummary("List API keys (without the keys)")
            .WithDescription("Every key's id, name, role, and when it was created and revoked; never the key itself, " +
                             "which only its creator saw once.");
        group.MapDelete("/{id:guid}", RevokeKey).WithName("RevokeApiKey")
            .WithSummary("Revoke an API key")
            .WithDescription("The key stops working at once; its row stays, so the history's actors remain explained.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    private static async Task<Results<Created<CreatedApiKeyResponse>, ValidationProblem>> CreateKey(
        CreateApiKeyRequest request, ClaimTrackerDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        errors.Text("name", request.Name, Limits.Name);
        if (!Enum.IsDefined(request.Role)) errors.Add("role", "role must be reader, editor or admin.");
        if (errors.Any) return TypedResults.ValidationProblem(errors.ToDictionary());

        var (key, secret) = NewKey(request.Name.Trim(), request.Role, clock.GetUtcNow());
        db.ApiKeys.Add(key);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/v1/api-keys/{key.Id}",
            new CreatedApiKeyResponse(key.Id, key.Name, key.Role, secret, key.CreatedAt));
    }

    private static async Task<Ok<List<ApiKeyResponse>>> ListKeys(ClaimTrackerDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(await db.ApiKeys.AsNoTracking()
            .OrderByDescending(k => k.CreatedAt).ThenByDescending(k => k.Id)
            .Select(k => new ApiKeyResponse(k.Id, k.Name, k.Role, k.CreatedAt, k.RevokedAt))
            .ToListAsync(cancellationToken));

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeKey(
        Guid id, ClaimTrackerDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        // Revoking twice is harmless: the first revocation time is kept.
        var found = await db.ApiKeys.Where(k => k.Id == id)
            .ExecuteUpdateAsync(s => s.SetProperty(k => k.RevokedAt, k => k.RevokedAt ?? now), cancellationToken);
        return found == 0
            ? TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "API key not found", detail: $"No API key has the id '{id}'.")
            : TypedResults.NoContent();
    }

    /// <summary>A new key row and the secret to hand out once.</summary>
    public static (ApiKey Key, string Secret) NewKey(string name, Role role, DateTimeOffset now)
    {
        var secret = ApiKeyTokens.NewKey();
        return (new ApiKey { Name = name, Role = role, Hash = ApiKeyTokens.Hash(secret), CreatedAt = now }, secret);
    }
}
