using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace ClaimTracker.Api.Http;

/// <summary>
/// Turns the framework's bad-request exceptions (malformed or mistyped JSON, unknown properties, oversized bodies)
/// into ProblemDetails naming the offending field, without .NET type names or stack traces.
/// </summary>
internal sealed class BadRequestExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad) return false;

        context.Response.StatusCode = bad.StatusCode;
        var problem = new Microsoft.AspNetCore.Mvc.ProblemDetails { Status = bad.StatusCode };
        if (bad.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            problem.Title = "Request body too large";
            problem.Detail = "The request body is over the size limit.";
        }
        else if (bad.InnerException is JsonException json)
        {
            var field = string.IsNullOrEmpty(json.Path) || json.Path == "$" ? "$" : json.Path.TrimStart('$', '.');
            var message = json.Message.Contains("could not be mapped", StringComparison.Ordinal) ? "Unknown property: it is not part of this operation's body."
                : json.Path is null or "$" ? "The body is not well-formed JSON."
                : "The value has the wrong type or is not one of the allowed words.";
            problem.Title = "The request body is invalid";
            problem.Detail = $"The JSON body was rejected at '{json.Path ?? "$"}': {message}";
            problem.Extensions["errors"] = new Dictionary<string, string[]> { [field] = [message] };
        }
        else
        {
            problem.Title = "Bad request";
            problem.Detail = bad.Message;
        }
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem });
    }
}

/// <summary>
/// `Http:MaxRequestBodyBytes`: refuses a declared Content-Length over the limit before reading it, and sets the limit
/// Kestrel enforces while a body without a length streams in.
/// </summary>
internal sealed class BodySizeLimitMiddleware(RequestDelegate next, IOptions<HttpOptions> options)
{
    private readonly long _limit = options.Value.MaxRequestBodyBytes;

    public async Task InvokeAsync(HttpContext context, IProblemDetailsService problems)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } streamed) streamed.MaxRequestBodySize = _limit;
        if (context.Request.ContentLength > _limit)
        {
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails = { Status = 413, Title = "Request body too large", Detail = $"The request body is over the {_limit}-byte limit." },
            });
            return;
        }
        await next(context);
    }
}
