using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Threading.RateLimiting;
using ClaimTracker.Api.Auth;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace ClaimTracker.Api.Http;

/// <summary>
/// Configuration `RateLimiting`: `Enabled` (default true), `PermitsPerMinute` per API key (default 1200) and
/// `AnonymousPermitsPerMinute` per client address (default 600). Limits are per instance.
/// </summary>
public sealed class RateLimitingOptions
{
    public const string Section = "RateLimiting";

    public bool Enabled { get; set; } = true;

    [Range(1, int.MaxValue, ErrorMessage = "RateLimiting:PermitsPerMinute must be at least 1.")]
    public int PermitsPerMinute { get; set; } = 1200;

    [Range(1, int.MaxValue, ErrorMessage = "RateLimiting:AnonymousPermitsPerMinute must be at least 1.")]
    public int AnonymousPermitsPerMinute { get; set; } = 600;
}

/// <summary>
/// Per-instance request limits: a fixed one-minute window per API key, or per client address for callers without a
/// valid key. Over the limit is 429 with `Retry-After` and a problem body. Health checks and Swagger are not limited.
/// </summary>
public static class RateLimiting
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private static readonly string[] UnlimitedPaths = ["/health", "/swagger", "/metrics"];

    public static void AddClaimTrackerRateLimiting(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedSettings<RateLimitingOptions>(RateLimitingOptions.Section);
        // Registered even when disabled: UseRateLimiter needs its services, and without a limiter it lets everything by.
        builder.Services.AddRateLimiter(_ => { });
        builder.Services.AddOptions<RateLimiterOptions>().Configure<IOptions<RateLimitingOptions>>((options, configured) =>
        {
            var settings = configured.Value;
            if (!settings.Enabled) return;
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context => Partition(context, settings));
            options.OnRejected = (context, _) => RejectAsync(context, settings);
        });
    }

    private static RateLimitPartition<string> Partition(HttpContext context, RateLimitingOptions settings)
    {
        var path = context.Request.Path;
        if (UnlimitedPaths.Any(p => path.StartsWithSegments(p, StringComparison.OrdinalIgnoreCase)))
        {
            return RateLimitPartition.GetNoLimiter("unlimited");
        }
        // Runs after authentication: a valid key has its own budget; no key or a bad one shares the address's.
        var (key, permits) = context.User.KeyId() is { } keyId
            ? ($"key:{keyId}", settings.PermitsPerMinute)
            : ($"ip:{context.Connection.RemoteIpAddress?.ToString() ?? "unknown"}", settings.AnonymousPermitsPerMinute);
        return RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = permits, Window = Window, QueueLimit = 0, AutoReplenishment = true,
        });
    }

    private static async ValueTask RejectAsync(OnRejectedContext context, RateLimitingOptions settings)
    {
        Telemetry.ClaimTrackerMetrics.RateLimitRejections.Add(1);
        var http = context.HttpContext;
        var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : Window;
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        var limit = http.User.KeyId() is null
            ? $"{settings.AnonymousPermitsPerMinute} requests per minute per client address without an API key"
            : $"{settings.PermitsPerMinute} requests per minute per API key";

        http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails =
            {
                Status = StatusCodes.Status429TooManyRequests, Title = "Too many requests",
                Detail = $"The limit is {limit}. Retry after {seconds} s.",
            },
        });
    }
}
