using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Adversarial.Data;
using MLNet.Adversarial.Text;

namespace MLNet.Adversarial.Tests.Hybrid;

[TestClass]
public sealed class TextFeaturesTests
{
    public TestContext TestContext { get; set; } = null!;

    private string Write(string name, string content)
    {
        var path = Path.Combine(TestContext.TestRunResultsDirectory ?? Path.GetTempPath(), $"{Guid.NewGuid():N}-{name}");
        File.WriteAllText(path, content);
        return path;
    }

    [TestMethod]
    public void MovieLensItemsGiveTitleAndGenreNames()
    {
        var spec = TextTableFile.Parse(DataLocator.GetPath("ml-100k/u.item"));
        Assert.IsNull(spec.Columns, "u.item alone is the known layout");
        var rows = TextTableFile.Read(spec);
        Assert.AreEqual(1682, rows.Count);
        Assert.AreEqual(("1", "Toy Story (1995). Animation, Children's, Comedy"), rows[0]);
        Assert.AreEqual(("2", "GoldenEye (1995). Action, Adventure, Thriller"), rows[1]);
    }

    [TestMethod]
    public void FileColumnsJoinsTheNamedColumnsAndSkipsAHeader()
    {
        var path = Write("items.tsv", "item\ttitle\tyear\tplot\n10\tAlien\t1979\tIn space\n11\tHeat\t\tA heist\n");
        var rows = TextTableFile.Read(TextTableFile.Parse(path + ":2,4"));
        CollectionAssert.AreEqual(new[] { ("10", "Alien. In space"), ("11", "Heat. A heist") }, rows.ToArray());
        var csv = Write("items.csv", "a1,First,x\nb2,Second,y\n");
        CollectionAssert.AreEqual(new[] { ("a1", "First"), ("b2", "Second") }, TextTableFile.Read(TextTableFile.Parse(csv + ":2")).ToArray());
    }

    [TestMethod]
    [DataRow(":x", "'x' is not a column number")]
    [DataRow(":1", "column 1 is the id")]
    [DataRow(":0", "column 0 cannot hold text")]
    [DataRow(":2,2", "listed twice")]
    [DataRow(":2,", "'' is not a column number")]
    public void MalformedColumnsAreErrorsNamingTheSpec(string columns, string message)
    {
        var path = Write("items.tsv", "10\tAlien\n");
        var e = Assert.ThrowsExactly<ArgumentException>(() => TextTableFile.Parse(path + columns));
        StringAssert.Contains(e.Message, message);
        StringAssert.Contains(e.Message, path + columns);
    }

    [TestMethod]
    public void MissingFilesShortLinesAndForeignLayoutsNameTheFile()
    {
        StringAssert.Contains(Assert.ThrowsExactly<FileNotFoundException>(() => TextTableFile.Parse("/nowhere/items.tsv:2")).Message, "/nowhere/items.tsv");
        var shortLine = Write("short.tsv", "10\tAlien\tx\n11\tHeat\n");
        var e = Assert.ThrowsExactly<InvalidDataException>(() => TextTableFile.Read(TextTableFile.Parse(shortLine + ":3")));
        StringAssert.Contains(e.Message, "line 2");
        StringAssert.Contains(e.Message, "column 3 is missing");
        var plain = Write("plain.tsv", "10\tAlien\n");
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => TextTableFile.Read(TextTableFile.Parse(plain))).Message, "FILE:COLUMNS");
        var repeated = Write("twice.tsv", "10\tAlien\n10\tHeat\n");
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => TextTableFile.Read(TextTableFile.Parse(repeated + ":2"))).Message, "id '10' has two rows");
    }

    [TestMethod]
    public void AnEmbeddingOfAnotherWidthNamesTheSourceAndTheId()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => new TextFeatures(["a", "b"], [new float[3], new float[4]], "items.tsv"));
        StringAssert.Contains(e.Message, "items.tsv");
        StringAssert.Contains(e.Message, "id 'b' has 4 values; the first one has 3");
    }

    private sealed class Row
    {
        public string Id { get; set; } = "";
        [VectorType] public float[] Embedding { get; set; } = [];
    }

    [TestMethod]
    public void ADataViewVectorColumnIsReadAndAnUnevenOneNamesTheColumn()
    {
        var ml = new MLContext(1);
        var even = ml.Data.LoadFromEnumerable(new[] { new Row { Id = "7", Embedding = [1, 0] }, new Row { Id = "8", Embedding = [0, 1] } });
        var features = TextFeatures.FromDataView(even, nameof(Row.Id), nameof(Row.Embedding));
        Assert.AreEqual(2, features.Dimension);
        CollectionAssert.AreEqual(new float[] { 0, 1 }, features.Find("8").ToArray());
        CollectionAssert.AreEqual(new float[] { 1, 0 }, features.Find("007").ToArray(), "integer ids match however they are written");

        var uneven = ml.Data.LoadFromEnumerable(new[] { new Row { Id = "7", Embedding = [1, 0] }, new Row { Id = "8", Embedding = [0, 1, 2] } });
        var e = Assert.ThrowsExactly<ArgumentException>(() => TextFeatures.FromDataView(uneven, nameof(Row.Id), nameof(Row.Embedding)));
        StringAssert.Contains(e.Message, "column 'Embedding'");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => TextFeatures.FromDataView(even, nameof(Row.Id), "Vectors")).Message, "'Vectors' not found");
    }

    [TestMethod]
    public void RowsForFillsIdsWithoutTextWithTheMeanEmbedding()
    {
        var features = new TextFeatures(["1", "2"], [[1f, 0f], [0f, 3f]], "t");
        var rows = features.RowsFor(IdVocabulary.FromInt64([1, 2, 3]), out int missing);
        Assert.AreEqual(1, missing);
        CollectionAssert.AreEqual(new[] { 1f, 0f, 0f, 3f, 0.5f, 1.5f }, rows);
    }

    [TestMethod]
    public void EmbedTextOutputFeedsTheTable()
    {
        // The pipeline route: EmbedText makes the vector column, FromDataView reads it.
        var ml = new MLContext(1);
        var items = ml.Data.LoadFromEnumerable(new[] { new TitleRow { Id = 1, Title = "Toy Story (1995)" }, new TitleRow { Id = 2, Title = "Heat (1995)" } });
        using var encoder = TextEncoder.CreateMiniLM();
        using var embed = ml.Adversarial().Transforms.EmbedText("Embedding", nameof(TitleRow.Title), encoder).Fit(items);
        var features = TextFeatures.FromDataView(embed.Transform(items), nameof(TitleRow.Id), "Embedding");
        Assert.AreEqual(encoder.Dimension, features.Dimension);
        var expected = encoder.Encode("Heat (1995)");
        var actual = features.Find("2").ToArray();
        // The transform runs the same encoder through its own ONNX chain: equal up to float rounding.
        for (int k = 0; k < expected.Length; k++) Assert.AreEqual(expected[k], actual[k], 1e-5f, $"dimension {k}");
    }

    private sealed class TitleRow
    {
        public int Id { get; set; }
        public string Title { get; set; } = "";
    }
}
