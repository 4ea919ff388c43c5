using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace ClaimTracker.Api.Http;

/// <summary>Configuration `Http`: the largest request body accepted, in bytes (413 past it).</summary>
public sealed class HttpOptions
{
    public const string Section = "Http";

    [Range(1, long.MaxValue, ErrorMessage = "Http:MaxRequestBodyBytes must be at least 1.")]
    public long MaxRequestBodyBytes { get; set; } = 1L << 20;
}

public static class HttpSetup
{
    public static void AddClaimTrackerHttp(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedSettings<HttpOptions>(HttpOptions.Section);
        builder.Services.Configure<JsonOptions>(options => Configure(options.SerializerOptions));
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            context.ProblemDetails.Extensions["traceId"] = Activity.Current?.Id ?? context.HttpContext.TraceIdentifier;
            // The framework's default `type` links point at RFC 9110 sections; keep them, but never leak exceptions.
            context.ProblemDetails.Extensions.Remove("exception");
            // The framework knows RFC 9110's codes; 428 and 429 come from RFC 6585.
            context.ProblemDetails.Type ??= context.ProblemDetails.Status switch
            {
                StatusCodes.Status428PreconditionRequired => "https://www.rfc-editor.org/rfc/rfc6585#section-3",
                StatusCodes.Status429TooManyRequests => "https://www.rfc-editor.org/rfc/rfc6585#section-4",
                _ => "about:blank",
            };
        });
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddExceptionHandler<BadRequestExceptionHandler>();
        builder.Services.AddExceptionHandler<DatabaseFailureExceptionHandler>();
        // Binding failures reach BadRequestExceptionHandler, which names the field, instead of an empty 400.
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        builder.Services.Configure<RouteOptions>(options => options.LowercaseUrls = true);
        // No server banner: nothing about the stack reaches a client.
        builder.Services.Configure<KestrelServerOptions>(options => options.AddServerHeader = false);
    }

    /// <summary>The contract's JSON: camelCase, lower_snake enum words, unknown properties rejected.</summary>
    public static void Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false));
        options.Converters.Add(new UtcTimeConverter());
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
    }

    public static void UseClaimTrackerHttp(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseMiddleware<BodySizeLimitMiddleware>();
    }
}
