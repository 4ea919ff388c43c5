using ClaimTracker.Api.Auth;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace ClaimTracker.Api.Http;

/// <summary>
/// Puts the `X-Api-Key` requirement on exactly the operations that refuse a caller without a key, as each endpoint's
/// authorization metadata says (<see cref="Policies.NeedsKey"/>): the editors' and admins' operations, and the reads
/// too when `Auth:AnonymousReads` is off. Swagger UI shows its lock there, and sends the key there only.
/// </summary>
internal sealed class OpenApiKeyRequirement(IOptions<AuthOptions> auth) : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        if (!Policies.NeedsKey(context.ApiDescription.ActionDescriptor.EndpointMetadata, auth.Value)) return;
        operation.Security ??= [];
        operation.Security.Add(new OpenApiSecurityRequirement
        {
            [new OpenApiSecuritySchemeReference(OpenApiSetup.ApiKeyScheme, context.Document)] = [],
        });
    }
}
