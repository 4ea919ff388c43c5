using System.Globalization;
using ClaimTracker.Api.Http;

namespace ClaimTracker.Api.UnitTests.Http;

/// <summary>Cursor decoding, the one place every list parses its cursor's key, without a host.</summary>
public sealed class KeysetTests
{
    private static bool ParseDate(string text, out DateOnly on) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out on);

    [Fact]
    public void NoCursorIsTheFirstPage()
    {
        var errors = new ValidationErrors();

        Assert.Null(Keyset.Decode<DateOnly>(null, "occurred", ParseDate, errors));
        Assert.False(errors.Any);
    }

    [Fact]
    public void AnIssuedCursorGivesItsTypedKeyAndId()
    {
        var errors = new ValidationErrors();
        var id = Guid.CreateVersion7();

        var after = Keyset.Decode<DateOnly>(new Cursor("occurred", "2025-01-19", id).Encode(), "occurred", ParseDate, errors);

        Assert.Equal(new After<DateOnly>(new DateOnly(2025, 1, 19), id), after);
        Assert.False(errors.Any);
    }

    [Theory]
    [InlineData("not-a-cursor", "not one this API issued")]
    [InlineData("eyJzb3J0Ijoib2NjdXJyZWQifQ", "not one this API issued")] // {"sort":"occurred"}: no key
    public void AMalformedCursorIsRefused(string text, string message) => AssertRefused(text, message);

    [Fact]
    public void ACursorOfAnotherSortIsRefused() =>
        AssertRefused(new Cursor("-updated", "2025-01-19T00:00:00.0000000Z", Guid.CreateVersion7()).Encode(), "another list or sort order");

    [Fact]
    public void ACursorWhoseKeyTheListDoesNotWriteIsRefused() =>
        AssertRefused(new Cursor("occurred", "19/01/2025", Guid.CreateVersion7()).Encode(), "not one this API issued");

    private static void AssertRefused(string text, string message)
    {
        var errors = new ValidationErrors();

        Assert.Null(Keyset.Decode<DateOnly>(text, "occurred", ParseDate, errors));

        var (field, messages) = Assert.Single(errors.ToDictionary());
        Assert.Equal("cursor", field);
        Assert.Contains(message, Assert.Single(messages));
    }
}
