using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace ClaimTracker.Api.Http;

/// <summary>
/// Gives every query and route parameter a description and an example taken from the seeded story,
/// so that "Try it out" in Swagger UI works against a fresh database.
/// </summary>
internal sealed class OpenApiExamples : IOperationFilter
{
    private static readonly Dictionary<string, (string Description, string Example)> Parameters = new(StringComparer.Ordinal)
    {
        ["idOrSlug"] = ("The claim's id (UUID) or slug.", "bytedance-ai-chips-budget-2025"),
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
        ["sort"] = ("-updated (default), updated, occurred or -occurred.", "-updated"),
        ["limit"] = ("Page size, 1–100 (default 20).", "20"),
        ["cursor"] = ("The `nextCursor` of the previous page; opaque.", ""),
        ["language"] = ("BCP 47 language of the source.", "it"),
        ["anonymous"] = ("true: only unnamed-source reports; false: only named sources.", "true"),
        ["q"] = ("Text to look for.", "corte suprema"),
        ["role"] = ("Which claims of the entity: subject (default), claimant or any.", "subject"),
        ["id"] = ("The resource's id (UUID).", ""),
    };

    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        foreach (var parameter in operation.Parameters?.OfType<OpenApiParameter>() ?? [])
        {
            if (parameter.Name is null || !Parameters.TryGetValue(parameter.Name, out var known)) continue;
            parameter.Description ??= known.Description;
            if (known.Example.Length > 0 && parameter.Name != "source") parameter.Example ??= JsonValue.Create(known.Example);
        }
    }
}
