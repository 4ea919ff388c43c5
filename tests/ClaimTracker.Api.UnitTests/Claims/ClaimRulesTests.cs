using System.Text.Json;
using System.Text.Json.Nodes;
using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Http;

namespace ClaimTracker.Api.UnitTests.Claims;

/// <summary>The shared claim rules and the merge itself, without a host.</summary>
public sealed class ClaimRulesTests
{
    private static readonly JsonSerializerOptions Json = CreateJson();

    private static JsonSerializerOptions CreateJson()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        HttpSetup.Configure(options);
        return options;
    }

    private static CreateClaimRequest Request(
        ClaimKind kind = ClaimKind.Assertion, IReadOnlyList<string>? tags = null, QuantityRequest? quantity = null,
        DateOnly? occurredOn = null, DatePrecision? precision = null) =>
        new("a-claim", "  A statement.  ", kind, "bytedance", null, tags, null, quantity, occurredOn, precision);

    private static Claim QuantityClaim() => new()
    {
        Slug = "budget", Statement = "Budget.", Kind = ClaimKind.Quantity, SubjectId = Guid.CreateVersion7(), Tags = ["ai-chips"],
        Quantity = new Quantity { Amount = 12m, Unit = "USD", Period = "2025", Scope = "total" },
    };

    [Fact]
    public void ValidFieldsAreTrimmedDeduplicatedAndDefaulted()
    {
        var errors = new ValidationErrors();

        var quantity = ClaimRules.Validate(Request(ClaimKind.Quantity, ["b", "a", "b"], new QuantityRequest(5m, " USD ", null, null, null, 5m, 5m)), errors);
        var evt = ClaimRules.Validate(Request(ClaimKind.Event, occurredOn: new DateOnly(2025, 1, 19)), errors);

        Assert.False(errors.Any);
        Assert.Equal("A statement.", quantity!.Statement);
        Assert.Equal(["b", "a"], quantity.Tags);
        Assert.Equal(("USD", false), (quantity.Quantity!.Unit, quantity.Quantity.Approximate));
        Assert.Equal(DatePrecision.Day, evt!.DatePrecision);
    }

    [Fact]
    public void EveryBrokenRuleIsNamedAtOnce()
    {
        var errors = new ValidationErrors();

        var fields = ClaimRules.Validate(new CreateClaimRequest(
            "Bad", "", null, "", " ", [new string('t', 65)], "", null, null, null), errors);

        Assert.Null(fields);
        Assert.Equal(new[] { "slug", "statement", "kind", "subject", "claimant", "partOf", "tags" }.Order(), errors.ToDictionary().Keys.Order());
    }

    [Fact]
    public void MergeRemovesNullsMergesObjectsAndReplacesArrays()
    {
        var errors = new ValidationErrors();
        var patch = JsonNode.Parse("""{ "quantity": { "scope": null, "approximate": true }, "tags": ["budget"], "statement": "New." }""")!.AsObject();

        var merged = ClaimMergePatch.Apply(QuantityClaim(), patch, Json, errors)!;

        Assert.False(errors.Any);
        Assert.Equal(new QuantityRequest(12m, "USD", true, "2025", null, null, null), merged.Quantity);
        Assert.Equal(["budget"], merged.Tags);
        Assert.Equal(("budget", "New.", ClaimKind.Quantity), (merged.Slug, merged.Statement, merged.Kind));
    }

    [Fact]
    public void AWrongTypeInAPatchIsNamedByItsPath()
    {
        var errors = new ValidationErrors();

        var merged = ClaimMergePatch.Apply(QuantityClaim(), JsonNode.Parse("""{ "quantity": { "amount": "twelve" } }""")!.AsObject(), Json, errors);

        Assert.Null(merged);
        Assert.Equal(["quantity.amount"], errors.ToDictionary().Keys);
    }
}
