using System.Security.Cryptography;
using System.Text;
using Tailmark.Storage;

namespace Tailmark.Tests.Judging;

public sealed class VerdictCacheKeyTests
{
    // The framing written out the slow, obvious way: "<UTF-16 length>:<text>|" per field, SHA-256 of the UTF-8 bytes.
    private static string Reference(params string?[] parts) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Concat(parts.Select(p => p ?? "\u0000null").Select(p => $"{p.Length}:{p}|")))));

    [Theory]
    [InlineData("sim#sim-judge", "0", "64", "conversation", "response", "c1", "0")]
    [InlineData("", "", null, "ünïcödé — 日本語 🙂", "a|b:c", "12:x|", "3")]
    public void Key_IsTheSha256OfTheFramedFields(params string?[] parts) =>
        Assert.Equal(Reference(parts), VerdictCacheKey.Of(parts));

    [Fact]
    public void Key_OfALongResponse_AndFramingPreventsConcatenationCollisions()
    {
        var response = string.Concat(Enumerable.Repeat("Drink water and sleep well. ", 2000));
        Assert.Equal(Reference("conv", response), VerdictCacheKey.Of("conv", response));
        Assert.NotEqual(VerdictCacheKey.Of("ab", "c"), VerdictCacheKey.Of("a", "bc"));
        Assert.NotEqual(VerdictCacheKey.Of((string?)null), VerdictCacheKey.Of(""));
    }
}
