using System.Reflection;
using Microsoft.OpenApi;

namespace ClaimTracker.Api.Http;

public static class OpenApiSetup
{
    public const string ApiKeyScheme = "ApiKey";

    /// <summary>Where `dotnet run` serves the API (launchSettings.json).</summary>
    private const string ServerUrl = "http://localhost:5080";

    public static void AddClaimTrackerOpenApi(this IHostApplicationBuilder builder)
    {
        builder.Services.AddEndpointsApiExplorer();
        builder.Services.AddSwaggerGen(options =>
        {
            options.SwaggerDoc("v1", new OpenApiInfo
            {
                Title = "ClaimTracker API",
                Version = "v1",
                Description = "A newsroom's system of record for factual claims: sources, quotes anchored in their text, " +
                              "confirmation statuses and a tamper-evident history. Seeded with the ByteDance AI-chips story.",
                Contact = new OpenApiContact { Name = "ClaimTracker", Url = new Uri(ServerUrl + "/") },
            });
            // The committed document (docs/openapi.json) names the API as `dotnet run` serves it; the document served at
            // run time names the server that serves it (UseClaimTrackerOpenApi), so that Swagger UI calls that one.
            options.AddServer(new OpenApiServer { Url = ServerUrl, Description = "The API run locally (dotnet run)" });
            var xml = Path.Combine(AppContext.BaseDirectory, $"{Assembly.GetExecutingAssembly().GetName().Name}.xml");
            if (File.Exists(xml)) options.IncludeXmlComments(xml);
            options.AddSecurityDefinition(ApiKeyScheme, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = "X-Api-Key",
                Description = "An API key (roles reader < editor < admin). Reads are open to anonymous callers unless configured off.",
            });
            // The scheme is declared once (Swagger UI's Authorize button); each operation that needs a key requires it.
            options.OperationFilter<OpenApiKeyRequirement>();
            options.OperationFilter<OpenApiConventions>();
            options.SupportNonNullableReferenceTypes();
            options.UseAllOfToExtendReferenceSchemas();
        });
    }

    public static void UseClaimTrackerOpenApi(this WebApplication app)
    {
        app.UseSwagger(options => options.PreSerializeFilters.Add((document, request) =>
            document.Servers = [new OpenApiServer { Url = $"{request.Scheme}://{request.Host.Value}{request.PathBase}" }]));
        app.UseSwaggerUI(options =>
        {
            options.SwaggerEndpoint("/swagger/v1/swagger.json", "ClaimTracker API v1");
            options.DocumentTitle = "ClaimTracker API";
            options.EnablePersistAuthorization();
        });
    }
}
