using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Cors.Infrastructure;

namespace ClaimTracker.Api.Http;

/// <summary>
/// The `Cors` settings: which other origins' pages may read the API (`ReadOrigins`, default any: the data is public and
/// keys are never ambient credentials) and which may write to it (`WriteOrigins`, default none).
/// </summary>
public sealed class CrossOriginOptions
{
    public const string Section = "Cors";

    /// <summary>Origins allowed to read (GET, HEAD, the change stream); `*` for any.</summary>
    [Required]
    public string[] ReadOrigins { get; set; } = ["*"];

    /// <summary>Origins allowed to write (POST, PUT, PATCH, DELETE), with `X-Api-Key`; none unless listed.</summary>
    [Required]
    public string[] WriteOrigins { get; set; } = [];
}

/// <summary>
/// Dashboards built elsewhere (a newsroom's page, a notebook) read the JSON and the change stream from their own origin;
/// writes come only from the origins an operator lists. Every response also carries the usual security headers:
/// `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer`, and pages (HTML) may not be framed by others.
/// </summary>
public static class CrossOrigin
{
    private static readonly string[] RequestHeaders =
        ["Content-Type", "Accept", "Accept-Language", "X-Api-Key", "If-Match", "If-None-Match", "Idempotency-Key", "Last-Event-ID"];

    private static readonly string[] ResponseHeaders =
        ["ETag", "Location", "Retry-After", "Content-Language", "Content-Disposition", "Idempotent-Replayed"];

    public static void AddClaimTrackerCrossOrigin(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedSettings<CrossOriginOptions>(CrossOriginOptions.Section);
        builder.Services.AddCors();
        builder.Services.AddSingleton<ICorsPolicyProvider, MethodPolicies>();
    }

    public static void UseClaimTrackerCrossOrigin(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            context.Response.OnStarting(() =>
            {
                // A page with a policy of its own (the claim page) keeps it; it forbids framing too.
                if (context.Response.ContentType?.StartsWith("text/html", StringComparison.OrdinalIgnoreCase) == true
                    && string.IsNullOrEmpty(context.Response.Headers.ContentSecurityPolicy))
                {
                    context.Response.Headers.ContentSecurityPolicy = "frame-ancestors 'none'";
                }
                return Task.CompletedTask;
            });
            return next(context);
        });
        app.UseCors();
    }

    /// <summary>The read policy for safe methods (and their preflights), the write policy for the others.</summary>
    private sealed class MethodPolicies(Microsoft.Extensions.Options.IOptions<CrossOriginOptions> options) : ICorsPolicyProvider
    {
        private readonly CorsPolicy _read = Build(options.Value.ReadOrigins, ["GET", "HEAD"]);
        private readonly CorsPolicy _write = Build(options.Value.WriteOrigins, ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]);
        // POST /claims/match changes nothing: a read with a body.
        private readonly CorsPolicy _match = Build(options.Value.ReadOrigins, ["POST"]);

        public Task<CorsPolicy?> GetPolicyAsync(HttpContext context, string? policyName)
        {
            var method = HttpMethods.IsOptions(context.Request.Method)
                ? context.Request.Headers.AccessControlRequestMethod.ToString()
                : context.Request.Method;
            if (HttpMethods.IsGet(method) || HttpMethods.IsHead(method)) return Task.FromResult<CorsPolicy?>(_read);
            return Task.FromResult<CorsPolicy?>(context.Request.Path.Equals("/api/v1/claims/match", StringComparison.OrdinalIgnoreCase) ? _match : _write);
        }

        private static CorsPolicy Build(string[] origins, string[] methods)
        {
            var policy = new CorsPolicyBuilder().WithMethods(methods).WithHeaders(RequestHeaders).WithExposedHeaders(ResponseHeaders)
                .SetPreflightMaxAge(TimeSpan.FromHours(1));
            if (origins.Contains("*")) policy.AllowAnyOrigin();
            else policy.WithOrigins(origins); // no origin listed: no cross-origin request of this kind is allowed
            return policy.Build();
        }
    }
}
