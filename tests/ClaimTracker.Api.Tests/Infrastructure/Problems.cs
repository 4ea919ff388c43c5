using System.Net;
using System.Text.Json;

namespace ClaimTracker.Api.Tests.Infrastructure;

/// <summary>Assertions on RFC 9457 problem responses.</summary>
public static class Problems
{
    /// <summary>Asserts the status and a problem+json body with type, title, status and traceId; returns the body.</summary>
    public static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(status == response.StatusCode, $"Expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("type").GetString()));
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("traceId").GetString()));
        Assert.DoesNotContain("   at ", body); // no stack trace
        Assert.DoesNotContain("Npgsql", body);
        return problem;
    }

    /// <summary>Asserts a 400 validation problem whose `errors` names <paramref name="field"/>.</summary>
    public static async Task<JsonElement> AssertValidationProblemAsync(HttpResponseMessage response, string field)
    {
        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.TryGetProperty("errors", out var errors), "A validation problem carries `errors`.");
        Assert.True(errors.TryGetProperty(field, out _), $"`errors` should name '{field}': {errors}");
        return problem;
    }
}
