using System.Diagnostics;
using MLNet.Adversarial.Cli.Commands;
using MLNet.Adversarial.Data;
using MLNet.Adversarial.Text;
using MLNet.Adversarial.Trainers;

namespace MLNet.Adversarial.Research.Commands;

/// <summary>
/// <c>reproduce --cold-start</c>: the item-cold-start experiment of docs/results.md on MovieLens-100K (<c>u.data</c>,
/// ratings ≥ 4; 20% of the items held out per seed; the warm test a 20% per-user holdout): hybrid BPR and hybrid APR
/// against id-only BPR (warm items), the content-only and the random baselines. The item text (title and genres from
/// <c>u.item</c>) is embedded once per run, never cached on disk.
/// </summary>
internal static class ColdStartReproduction
{
    private const float MinRating = 4;
    private const double ColdFraction = 0.2;
    private const double ValidationFraction = 0.1;

    /// <summary>The BPR and APR settings of the IRGAN-protocol experiment (<see cref="ReproduceCommand.Configuration"/>), selecting on NDCG@10.</summary>
    private static AprTrainer.Options Configuration(string name, TextFeatures? itemText)
    {
        var options = ReproduceCommand.Configuration(name);
        options.ValidationK = 10;
        options.NumberOfThreads = 1;
        options.ItemText = itemText;
        return options;
    }

    public static string Run(int seeds, TextWriter log)
    {
        var data = InteractionFileReader.Read(DataLocator.GetPath("ml-100k/u.data"));
        var clock = Stopwatch.StartNew();
        TextFeatures itemText;
        using (var encoder = TextEncoder.CreateMiniLM()) itemText = TextFeatures.FromFile(DataLocator.GetPath("ml-100k/u.item"), encoder);
        log.WriteLine($"embedded {itemText.Count} item texts (title and genres) in {clock.Elapsed.TotalSeconds:F1}s");
        ColdStartExperiment.Model[] models =
        [
            new("hybrid BPR", Configuration("bpr", itemText)),
            new("hybrid APR", Configuration("apr", itemText)),
            new("BPR (id only)", Configuration("bpr", null)),
            new("content-only", null, ColdStartExperiment.Baseline.ContentOnly),
            new("random", null, ColdStartExperiment.Baseline.Random),
        ];
        var seedList = Enumerable.Range(1, seeds).ToArray();
        var runs = ColdStartExperiment.Execute(new ColdStartExperiment.Data(data, null, MinRating, ColdFraction, itemText, ValidationFraction), models, seedList, log);
        var report = ColdStartReport.Create(runs, models.Select(m => m.Name).ToArray(), ColdFraction, seedList, "u.data, ratings ≥ 4 (20% per-user warm test holdout)", "u.item title and genres");
        return ColdStartReport.Markdown(report) + Environment.NewLine + ColdStartReport.PerSeedMarkdown(report);
    }
}
