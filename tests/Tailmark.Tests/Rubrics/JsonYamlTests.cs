using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using Tailmark.Io;

namespace Tailmark.Tests.Rubrics;

/// <summary>
/// JSON written as YAML by <see cref="JsonYaml"/> reads back (through <see cref="YamlJson"/>, the reader every YAML
/// input goes through) to the same JSON: the strings the core schema would take for something else stay strings.
/// </summary>
public sealed class JsonYamlTests
{
    // Strings that a plain scalar would turn into a null, a boolean, a number or a special float, and strings the
    // emitter must quote or fold for their characters.
    private static readonly string[] Tricky =
    [
        "", "~", "null", "Null", "NULL", "true", "True", "FALSE", "0", "-12", "+7", "007", "1.5", "1e5", "-2.5E-3", ".5", "1.",
        ".nan", ".NaN", ".inf", "-.Inf", "+.inf", "NaN", "Infinity", "yes", "no", "on", "off", "- item", "key: value", "#hash",
        " leading", "trailing ", "two\nlines", "tab\there", "quote \" and 'single'", "back\\slash", "[1, 2]", "{a: 1}", "&anchor",
        "*alias", "!tag", "%directive", "@at", "`tick`", "é ü 中文 🙂", "---", "...", "?", ":", "-", "0x1F", "1_000",
    ];

    [Fact]
    public void TrickyStrings_ReadBackAsTheSameStrings()
    {
        var obj = new JsonObject();
        for (var i = 0; i < Tricky.Length; i++) obj[$"k{i}"] = Tricky[i];
        obj["as keys"] = new JsonObject(Tricky.Select((t, i) => KeyValuePair.Create(t, (JsonNode?)i)));
        obj["list"] = new JsonArray([.. Tricky.Select(t => (JsonNode?)t)]);
        AssertRoundTrip(obj);
    }

    [Fact]
    public void LongTextAndLongKeys_ReadBackWhole()
    {
        // The emitter folds text past 80 columns and writes keys past 128 characters as explicit keys ("? ").
        var sentence = string.Join(' ', Enumerable.Range(0, 60).Select(i => $"word{i}"));
        var obj = new JsonObject
        {
            ["plain"] = sentence,
            ["spaces"] = "  " + sentence.Replace(" ", "   ", StringComparison.Ordinal) + "  ",
            ["quoted"] = "123 " + sentence,
            ["lines"] = sentence + "\n\n" + sentence + "\n",
            [sentence] = "a long key",
            ["x" + new string('y', 300)] = new JsonArray(sentence, sentence + "\n"),
        };
        AssertRoundTrip(obj);
    }

    [Fact]
    public void NumbersBooleansNullsAndEmptyContainers_KeepTheirKinds()
    {
        var json = """{"i": 3, "neg": -40, "big": 12345678901234, "f": 0.25, "e": 1.5e-7, "t": true, "f2": false, "n": null, "ea": [], "eo": {}, "nested": [[1, [2]], {"x": {"y": []}}]}""";
        using var doc = JsonDocument.Parse(json);
        var back = ReadBack(JsonYaml.ToYaml(doc.RootElement));
        Assert.Equal(Canonical(doc.RootElement), back);
        // The numbers keep their kind, not only their value: an integer stays an integer.
        using var parsed = JsonDocument.Parse(back);
        Assert.Equal(JsonValueKind.Number, parsed.RootElement.GetProperty("big").ValueKind);
        Assert.Equal(12345678901234L, parsed.RootElement.GetProperty("big").GetInt64());
        Assert.Equal(JsonValueKind.Null, parsed.RootElement.GetProperty("n").ValueKind);
        Assert.Equal(JsonValueKind.False, parsed.RootElement.GetProperty("f2").ValueKind);
    }

    [Fact]
    public void AKeyGivenTwice_KeepsItsLastValue()
    {
        using var doc = JsonDocument.Parse("""{"a": 1, "b": 2, "a": 3}""");
        Assert.Equal("""{"a":3,"b":2}""", ReadBack(JsonYaml.ToYaml(doc.RootElement)));
    }

    [Fact]
    public void AList_IsOneDocumentHoldingTheItems()
    {
        using var a = JsonDocument.Parse("""{"id": "x"}""");
        using var b = JsonDocument.Parse("""{"id": "123"}""");
        var docs = YamlJson.Parse(JsonYaml.ToYamlList([a.RootElement, b.RootElement]), "list.yaml");
        Assert.Single(docs);
        Assert.Equal("""[{"id":"x"},{"id":"123"}]""", docs[0].Json.GetRawText().Replace(" ", "", StringComparison.Ordinal));
    }

    [Fact]
    public void RandomValues_RoundTrip()
    {
        Prop.ForAll(Values(3).ToArbitrary(), node =>
        {
            AssertRoundTrip(node);
            return true;
        }).QuickCheckThrowOnFailure();
    }

    private static Gen<JsonNode?> Values(int depth)
    {
        var text = Gen.OneOf(Gen.Elements(Tricky), ArbMap.Default.GeneratorFor<string>().Where(s => s is not null && !HasLoneSurrogate(s)));
        var leaf = Gen.OneOf(
            text.Select(s => (JsonNode?)s),
            ArbMap.Default.GeneratorFor<int>().Select(i => (JsonNode?)i),
            ArbMap.Default.GeneratorFor<NormalFloat>().Select(f => (JsonNode?)f.Get),
            ArbMap.Default.GeneratorFor<bool>().Select(b => (JsonNode?)b),
            Gen.Constant((JsonNode?)null));
        if (depth == 0) return leaf;
        var inner = Values(depth - 1);
        var list = Gen.ListOf(inner, 4).Select(items => (JsonNode?)new JsonArray([.. items]));
        var map = from keys in Gen.ListOf(text, 4)
                  from values in Gen.ListOf(inner, 4)
                  select (JsonNode?)new JsonObject(keys.Distinct(StringComparer.Ordinal).Zip(values, KeyValuePair.Create));
        return Gen.OneOf(leaf, list, map);
    }

    // A lone surrogate is not text: no JSON or YAML file can carry it.
    private static bool HasLoneSurrogate(string s) => Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(s)) != s;

    // A failure shows the YAML written, so the case can be read without rerunning the property.
    private static void AssertRoundTrip(JsonNode? node)
    {
        using var doc = JsonDocument.Parse(node?.ToJsonString() ?? "null");
        var yaml = JsonYaml.ToYaml(doc.RootElement);
        var expected = Canonical(doc.RootElement);
        string back;
        try
        {
            back = ReadBack(yaml);
        }
        catch (InputException ex)
        {
            throw new Xunit.Sdk.XunitException($"the YAML written does not read back ({ex.Message}):\n{yaml}");
        }
        if (back != expected) throw new Xunit.Sdk.XunitException($"YAML written:\n{yaml}\nexpected {expected}\nread back {back}");
    }

    private static string ReadBack(string yaml)
    {
        var docs = YamlJson.Parse(yaml, "written.yaml");
        Assert.Single(docs);
        return Canonical(docs[0].Json);
    }

    // Numbers compared by value (YAML keeps JSON's digits, but 1.0 and 1 are the same number to every reader).
    private static string Canonical(JsonElement e) => JsonNode.Parse(e.GetRawText())?.ToJsonString() ?? "null";
}
