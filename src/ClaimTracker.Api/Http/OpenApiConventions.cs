using System.Text.Json.Nodes;
using ClaimTracker.Api.Replicas;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace ClaimTracker.Api.Http;

/// <summary>
/// The conventions every operation shares: parameters get a description and an example from the seeded story (so
/// "Try it out" works against a fresh database), POSTs document `Idempotency-Key` with its 409/422, and every API
/// operation documents the 429 of the rate limiter.
/// </summary>
internal sealed class OpenApiConventions : IOperationFilter
{
    private static readonly Dictionary<string, (string Description, string Example)> Parameters = new(StringComparer.Ordinal)
    {
        ["idOrSlug"] = ("The claim's id (UUID) or slug.", "bytedance-ai-chips-budget-2025"),
        ["otherIdOrSlug"] = ("The other claim's id (UUID) or slug.", "bytedance-denies-budget-rumours"),
        ["status"] = ("Confirmation status; repeat for any of several.", "disputed"),
        ["subject"] = ("The entity the claims are about: id or slug.", "bytedance"),
        ["claimant"] = ("The entity asserting the claims: id or slug.", "bytedance"),
        ["source"] = ("Only claims appearing in this source (its id).", "0193f4c2-0000-7000-8000-000000000000"),
        ["kind"] = ("Kind of claim: quantity, event or assertion.", "quantity"),
        ["tag"] = ("Only claims carrying this tag.", "ai-chips"),
        ["partOf"] = ("Only the parts of this claim: id or slug.", "bytedance-ai-chips-budget-2025"),
        ["occurredFrom"] = ("Events on or after this date (YYYY-MM-DD).", "2025-01-19"),
        ["occurredTo"] = ("Events on or before this date (YYYY-MM-DD).", "2025-01-31"),
        ["from"] = ("Events on or after this date (YYYY-MM-DD).", "2025-01-19"),
        ["to"] = ("Events on or before this date (YYYY-MM-DD).", "2025-01-31"),
        ["updatedSince"] = ("Claims changed at or after this time (ISO 8601).", "2025-01-22T00:00:00Z"),
        ["sort"] = ("-updated (default), updated, occurred, -occurred, or relevance (best match first; needs q).", "-updated"),
        ["limit"] = ("Page size, 1–100 (default 20).", "20"),
        ["cursor"] = ("The `nextCursor` of the previous page; opaque.", ""),
        ["language"] = ("BCP 47 language of the source.", "it"),
        ["lang"] = ("The language of each claim's `statement` (BCP 47); overrides `Accept-Language`. A claim without a " +
                    "statement in it shows the English one; `Content-Language` says which were used.", "it"),
        ["anonymous"] = ("true: only unnamed-source reports; false: only named sources.", "true"),
        // The claim lists' q; `GET /entities` documents its own q (a name prefix) on EntityListQuery, which wins.
        ["q"] = ("Full-text search in web-search syntax: words (all must match), \"quoted phrases\", `or`, `-word` to exclude. " +
                 "Searches statements, quotes, entity names and aliases, with English and Italian stemming; 1–200 characters.",
                 "corte suprema"),
        ["role"] = ("Which claims of the entity: subject (default), claimant or any.", "subject"),
        ["id"] = ("The resource's id (UUID).", ""),
        ["deliveryId"] = ("The delivery's id (UUID), from `GET /webhooks/{id}/deliveries`.", ""),
        ["state"] = ("Only deliveries in this state: pending, delivered or failed.", "failed"),
    };

    /// <summary>Request bodies from the story, shown (and sent by "Try it out") in Swagger UI, by operation id.</summary>
    internal static readonly Dictionary<string, string> BodyExamples = new(StringComparer.Ordinal)
    {
        ["MatchClaim"] = """{ "text": "ByteDance investirà circa 12 miliardi di dollari in chip AI nel 2025", "language": "it", "limit": 5 }""",
        ["PutClaimLink"] = """{ "relation": "related", "state": "confirmed" }""",
    };

    private static void AddProblem(OpenApiOperation operation, OperationFilterContext context, int status, string description)
    {
        operation.Responses ??= [];
        if (operation.Responses.ContainsKey(status.ToString(System.Globalization.CultureInfo.InvariantCulture))) return;
        var schema = context.SchemaGenerator.GenerateSchema(typeof(Microsoft.AspNetCore.Mvc.ProblemDetails), context.SchemaRepository);
        operation.Responses[status.ToString(System.Globalization.CultureInfo.InvariantCulture)] = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, IOpenApiMediaType> { ["application/problem+json"] = new OpenApiMediaType { Schema = schema } },
        };
    }

    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        if (context.ApiDescription.HttpMethod == "POST")
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = "Idempotency-Key", In = ParameterLocation.Header, Required = false,
                Description = "Any unique string (e.g. a UUID). A retry with the same key gets the first response replayed " +
                              "for 24 h; the same key with another body is 422; while the first is still running, 409.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = 255 },
            });
            AddProblem(operation, context, StatusCodes.Status409Conflict, "Conflict, or a request with this Idempotency-Key is still running.");
            AddProblem(operation, context, StatusCodes.Status422UnprocessableEntity, "A rule was broken, or the Idempotency-Key was used with another request.");
        }
        if (context.ApiDescription.RelativePath?.StartsWith("api/v1/", StringComparison.Ordinal) == true)
        {
            AddProblem(operation, context, StatusCodes.Status429TooManyRequests, "Rate limited: retry after the `Retry-After` seconds.");
            AddProblem(operation, context, StatusCodes.Status503ServiceUnavailable,
                "The database is unavailable: retry after the `Retry-After` seconds.");
        }
        if (context.ApiDescription.RelativePath?.StartsWith("api/v1/", StringComparison.Ordinal) == true)
        {
            if (context.ApiDescription.HttpMethod is "GET") DocumentTokenParameter(operation, context);
            else DocumentTokenHeader(operation);
        }
        if (context.ApiDescription.HttpMethod is "PATCH" or "PUT" or "DELETE" && context.ApiDescription.RelativePath?.StartsWith("api/v1/", StringComparison.Ordinal) == true)
        {
            AddProblem(operation, context, StatusCodes.Status409Conflict,
                "Rolled back against a concurrent write (`/problems/write-conflict`): nothing changed; retry after `Retry-After`.");
        }
        if (operation.OperationId is { } id && BodyExamples.TryGetValue(id, out var example)
            && operation.RequestBody?.Content?.TryGetValue("application/json", out var body) == true && body is OpenApiMediaType json)
        {
            json.Example = JsonNode.Parse(example);
        }
        foreach (var parameter in operation.Parameters?.OfType<OpenApiParameter>() ?? [])
        {
            if (parameter.Name is null || !Parameters.TryGetValue(parameter.Name, out var known)) continue;
            parameter.Description ??= known.Description;
            if (known.Example.Length > 0 && parameter.Name != "source") parameter.Example ??= Typed(known.Example, parameter.Schema);
        }
    }

    /// <summary>A read may send back a write's token, to see that write even when replicas serve reads (ReadRouting).</summary>
    private static void DocumentTokenParameter(OpenApiOperation operation, OperationFilterContext context)
    {
        operation.Parameters ??= [];
        operation.Parameters.Add(new OpenApiParameter
        {
            Name = ReadRouting.HeaderName, In = ParameterLocation.Header, Required = false,
            Description = "The `X-Consistency-Token` of a write's response, sent back to read what that write did: the read is " +
                          "served by a replica that has replayed it, else by the primary. Without it a read may come from a " +
                          "replica a few seconds behind. Opaque (a PostgreSQL WAL position); a malformed one is 400.",
            Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = 40 },
        });
        AddProblem(operation, context, StatusCodes.Status400BadRequest, "Invalid input (a malformed `X-Consistency-Token` included).");
    }

    /// <summary>Every successful write answers with the token a client sends back to read its own write.</summary>
    private static void DocumentTokenHeader(OpenApiOperation operation)
    {
        foreach (var (status, response) in operation.Responses ?? [])
        {
            if (!status.StartsWith('2') || response is not OpenApiResponse concrete) continue;
            concrete.Headers ??= new Dictionary<string, IOpenApiHeader>();
            concrete.Headers[ReadRouting.HeaderName] = new OpenApiHeader
            {
                Description = "Where this write's commit ends in the primary's WAL (opaque). Send it back as the " +
                              "`X-Consistency-Token` header of a read to be sure to see this write. Present when the API reads " +
                              "from replicas (`ConnectionStrings:ClaimTrackerReplica`).",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String },
            };
        }
    }

    /// <summary>An example of the parameter's own type: a repeatable parameter's is an array, a number's a number.</summary>
    private static JsonNode? Typed(string example, IOpenApiSchema? schema)
    {
        var type = schema?.Type ?? JsonSchemaType.String;
        if (type.HasFlag(JsonSchemaType.Array)) return new JsonArray(Typed(example, schema?.Items));
        if (type.HasFlag(JsonSchemaType.Integer) && long.TryParse(example, System.Globalization.CultureInfo.InvariantCulture, out var integer)) return JsonValue.Create(integer);
        if (type.HasFlag(JsonSchemaType.Boolean) && bool.TryParse(example, out var flag)) return JsonValue.Create(flag);
        return JsonValue.Create(example);
    }
}
