using System.Globalization;
using Microsoft.AspNetCore.Diagnostics;
using Npgsql;

namespace ClaimTracker.Api.Http;

/// <summary>
/// Answers the database's transient failures with something a client can act on instead of a bare 500:
/// <list type="bullet">
/// <item>PostgreSQL rolled the request's transaction back to break a deadlock (40P01) or a serialization conflict (40001)
/// with a concurrent write: 409 `/problems/write-conflict` with `Retry-After: 1`. Nothing was written.</item>
/// <item>The database cannot be reached or is out of connections (what Npgsql calls transient: connection refused or lost,
/// pool exhausted, shutting down, too many connections): 503 `/problems/database-unavailable` with `Retry-After`.</item>
/// </list>
/// Both are logged as warnings; anything else stays a 500 without details.
/// </summary>
internal sealed class DatabaseFailureExceptionHandler(IProblemDetailsService problems, ILogger<DatabaseFailureExceptionHandler> logger)
    : IExceptionHandler
{
    public const int UnavailableRetryAfterSeconds = 5;

    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var failure = DatabaseFailures.Find(exception);
        if (failure is null || context.Response.HasStarted) return false;

        var problem = new Microsoft.AspNetCore.Mvc.ProblemDetails();
        if (failure is PostgresException { SqlState: PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure })
        {
            logger.LogWarning("{Method} {Path}: rolled back by PostgreSQL ({SqlState}) against a concurrent write; answered 409.",
                context.Request.Method, context.Request.Path, ((PostgresException)failure).SqlState);
            context.Response.Headers.RetryAfter = "1";
            (problem.Status, problem.Type, problem.Title, problem.Detail) = (StatusCodes.Status409Conflict, ProblemTypes.WriteConflict,
                "Concurrent write conflict",
                "This write met a concurrent write to the same records and was rolled back: it changed nothing. Retry it.");
        }
        else if (failure.IsTransient)
        {
            // Expected while the database restarts or fails over: one line each, the reason without its stack trace.
            logger.LogWarning("{Method} {Path}: the database is unavailable ({Reason}); answered 503.",
                context.Request.Method, context.Request.Path, failure.Message);
            context.Response.Headers.RetryAfter = UnavailableRetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            (problem.Status, problem.Type, problem.Title, problem.Detail) = (StatusCodes.Status503ServiceUnavailable,
                ProblemTypes.DatabaseUnavailable, "Database unavailable",
                $"The database could not be reached. Retry after {UnavailableRetryAfterSeconds} s; a POST is safe to retry with " +
                "the same Idempotency-Key.");
        }
        else
        {
            return false;
        }
        context.Response.StatusCode = problem.Status.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem, Exception = exception });
    }
}

internal static class DatabaseFailures
{
    /// <summary>The Npgsql failure behind <paramref name="exception"/> (EF Core wraps it, e.g. in DbUpdateException).</summary>
    public static NpgsqlException? Find(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            if (exception is NpgsqlException npgsql) return npgsql;
        }
        return null;
    }
}
