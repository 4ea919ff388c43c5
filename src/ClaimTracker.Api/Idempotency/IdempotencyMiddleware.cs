using System.Security.Cryptography;
using System.Text;
using ClaimTracker.Api.Auth;
using ClaimTracker.Api.Data;
using ClaimTracker.Api.Http;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Idempotency;

/// <summary>
/// `Idempotency-Key` on POST: the first request runs and its response (below 500) is stored; a retry with the same
/// key and the same request gets that response replayed (`Idempotent-Replayed: true`); the same key with another
/// request is 422; a retry while the first still runs is 409. Records expire after 24 h. A 5xx is not stored,
/// so the client may retry it. Runs after authorization: only callers allowed to POST reach it.
/// </summary>
public sealed class IdempotencyMiddleware(RequestDelegate next, TimeProvider clock, ILogger<IdempotencyMiddleware> logger)
{
    public const string HeaderName = "Idempotency-Key";
    public const int MaxKeyLength = 255;
    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);
    // A record still "running" after this long belongs to a request that died with its process.
    private static readonly TimeSpan AbandonedAfter = TimeSpan.FromMinutes(2);

    public async Task InvokeAsync(HttpContext context, ClaimTrackerDbContext db, IProblemDetailsService problems)
    {
        if (!HttpMethods.IsPost(context.Request.Method) || context.GetEndpoint() is null
            || !context.Request.Headers.TryGetValue(HeaderName, out var values) || context.User.KeyId() is not { } owner)
        {
            await next(context);
            return;
        }

        var key = values.ToString();
        if (key.Length is 0 or > MaxKeyLength || key.Any(c => c is < ' ' or > '~'))
        {
            await WriteProblemAsync(problems, context, StatusCodes.Status400BadRequest, ProblemTypes.Validation, "Invalid Idempotency-Key",
                $"An Idempotency-Key is 1 to {MaxKeyLength} printable ASCII characters, e.g. a UUID.");
            return;
        }

        var body = await ReadBodyAsync(context);
        var requestHash = Hash(context.Request, body);
        var ownerText = owner.ToString();
        var now = clock.GetUtcNow();

        // Claim the key atomically; exactly one of concurrent identical requests inserts the row.
        if (!await TryClaimAsync(db, ownerText, key, requestHash, now))
        {
            var existing = await db.Set<IdempotencyRecord>().AsNoTracking()
                .FirstOrDefaultAsync(r => r.Owner == ownerText && r.Key == key, context.RequestAborted);
            if (existing is null || existing.ExpiresAt <= now
                || (existing.StatusCode is null && existing.CreatedAt < now - AbandonedAfter))
            {
                await ForgetAsync(db, ownerText, key, existing?.CreatedAt);
                if (!await TryClaimAsync(db, ownerText, key, requestHash, now))
                {
                    await InFlightAsync(problems, context);
                    return;
                }
            }
            else if (existing.RequestHash != requestHash)
            {
                await WriteProblemAsync(problems, context, StatusCodes.Status422UnprocessableEntity, ProblemTypes.IdempotencyKeyReused,
                    "Idempotency-Key reused", "This Idempotency-Key was already used with a different request. Use a new key for a new request.");
                return;
            }
            else if (existing.StatusCode is null)
            {
                await InFlightAsync(problems, context);
                return;
            }
            else
            {
                await ReplayAsync(context, existing);
                return;
            }
        }

        await RunAndRecordAsync(context, db, ownerText, key, body);
    }

    private async Task RunAndRecordAsync(HttpContext context, ClaimTrackerDbContext db, string owner, string key, byte[] body)
    {
        context.Request.Body = new MemoryStream(body, writable: false);
        var originalBody = context.Response.Body;
        using var captured = new MemoryStream();
        context.Response.Body = captured;
        var completed = false;
        try
        {
            await next(context);
            completed = true;
        }
        finally
        {
            context.Response.Body = originalBody;
            var status = context.Response.StatusCode;
            // The request's own token may be cancelled by now: record or release the key regardless.
            if (completed && status < 500)
            {
                var headers = context.Response.Headers;
                // A success carrying a secret (a new API key) is recorded without its body: the secret is shown once.
                var keepBody = status >= 400 || context.GetEndpoint()?.Metadata.GetMetadata<SecretResponse>() is null;
                await db.Set<IdempotencyRecord>().Where(r => r.Owner == owner && r.Key == key).ExecuteUpdateAsync(s => s
                    .SetProperty(r => r.StatusCode, status)
                    .SetProperty(r => r.ContentType, context.Response.ContentType)
                    .SetProperty(r => r.Location, headers.Location.Count > 0 ? headers.Location.ToString() : null)
                    .SetProperty(r => r.ETag, headers.ETag.Count > 0 ? headers.ETag.ToString() : null)
                    .SetProperty(r => r.Body, keepBody ? captured.ToArray() : null), CancellationToken.None);
            }
            else
            {
                await ForgetAsync(db, owner, key, createdAt: null);
            }
            captured.Position = 0;
            if (completed) await captured.CopyToAsync(originalBody, CancellationToken.None);
        }
    }

    private static async Task<bool> TryClaimAsync(ClaimTrackerDbContext db, string owner, string key, string requestHash, DateTimeOffset now) =>
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO idempotency_records (owner, key, request_hash, created_at, expires_at)
            VALUES ({owner}, {key}, {requestHash}, {now}, {now + Lifetime})
            ON CONFLICT (owner, key) DO NOTHING
            """) == 1;

    private async Task ForgetAsync(ClaimTrackerDbContext db, string owner, string key, DateTimeOffset? createdAt)
    {
        var records = db.Set<IdempotencyRecord>().Where(r => r.Owner == owner && r.Key == key);
        // When replacing an expired or abandoned record, delete only that one, not a newer claim by another instance.
        if (createdAt is { } created) records = records.Where(r => r.CreatedAt == created);
        var deleted = await records.ExecuteDeleteAsync(CancellationToken.None);
        logger.LogDebug("Released idempotency key {Key} of {Owner} ({Deleted} row).", key, owner, deleted);
    }

    private static async Task ReplayAsync(HttpContext context, IdempotencyRecord record)
    {
        context.Response.StatusCode = record.StatusCode!.Value;
        if (record.ContentType is not null && record.Body is not null) context.Response.ContentType = record.ContentType;
        if (record.Location is not null) context.Response.Headers.Location = record.Location;
        if (record.ETag is not null) context.Response.Headers.ETag = record.ETag;
        context.Response.Headers["Idempotent-Replayed"] = "true";
        if (record.Body is { Length: > 0 } body) await context.Response.Body.WriteAsync(body, context.RequestAborted);
    }

    private static Task InFlightAsync(IProblemDetailsService problems, HttpContext context)
    {
        context.Response.Headers.RetryAfter = "1";
        return WriteProblemAsync(problems, context, StatusCodes.Status409Conflict, ProblemTypes.IdempotencyKeyInFlight,
            "Request still in progress", "A request with this Idempotency-Key is still running. Retry shortly to get its response.");
    }

    private static async Task<byte[]> ReadBodyAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        return buffer.ToArray();
    }

    private static string Hash(HttpRequest request, byte[] body)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"{request.Method} {request.Path}{request.QueryString}\n"));
        hash.AppendData(body);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static async Task WriteProblemAsync(IProblemDetailsService problems, HttpContext context, int status, string type, string title, string detail)
    {
        context.Response.StatusCode = status;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = status, Type = type, Title = title, Detail = detail },
        });
    }
}

/// <summary>Endpoint metadata: the response holds a secret, so an idempotent replay carries status and headers only.</summary>
public sealed class SecretResponse;

public static class IdempotencyEndpoints
{
    public static RouteHandlerBuilder WithSecretResponse(this RouteHandlerBuilder builder) => builder.WithMetadata(new SecretResponse());
}
