using System.Diagnostics;
using Microsoft.ML;
using MLNet.Adversarial.Data;
using MLNet.Adversarial.Evaluation;
using MLNet.Adversarial.Text;
using MLNet.Adversarial.Trainers;

namespace MLNet.Adversarial.Cli.Commands;

/// <summary>
/// Runs the item-cold-start protocol (<see cref="ColdStartSplit"/>) for several models and seeds: each hybrid model
/// is trained on the warm items and meets the cold items as new text-only items; id-only models are measured on warm
/// items only (they cannot rank an item they have never seen); the content-only and random baselines rank both.
/// Each trained model selects its epoch on a validation split carved from the warm training rows.
/// </summary>
internal static class ColdStartExperiment
{
    /// <summary>The ranking cut-offs reported by default.</summary>
    public static readonly int[] DefaultKs = [3, 5, 10, 20];

    /// <summary>The cut-offs asked for plus 5 and 10, which the summary table always shows.</summary>
    public static int[] WithTableKs(IEnumerable<int> ks) => [.. ks.Concat([5, 10]).Distinct().Order()];

    /// <summary>A model to evaluate: a trainer configuration (with or without item text), or a baseline (null options).</summary>
    public sealed record Model(string Name, AprTrainer.Options? Options, Baseline Baseline = Baseline.None);

    public enum Baseline { None, ContentOnly, Random }

    /// <summary>One model on one seed. <paramref name="Cold"/> is null for id-only models.</summary>
    public sealed record Run(string Model, int Seed, RankingMetrics? Cold, RankingMetrics Warm, int SelectedEpoch, int Epochs, double Seconds);

    /// <summary>The data of the protocol: the rows, which share to hold out, and the item text (embedded once per process).</summary>
    public sealed record Data(InteractionTable Train, InteractionTable? Test, float? MinRating, double ColdFraction, TextFeatures ItemText, double ValidationFraction)
    {
        /// <summary>The ranking cut-offs to report (5 and 10 are always added).</summary>
        public IReadOnlyList<int> Ks { get; init; } = DefaultKs;
    }

    public static List<Run> Execute(Data data, IReadOnlyList<Model> models, IReadOnlyList<int> seeds, TextWriter log)
    {
        var runs = new List<Run>();
        foreach (var seed in seeds)
        {
            var split = data.Test is null
                ? ColdStartSplit.FromTable(data.Train, data.ColdFraction, seed, data.MinRating)
                : ColdStartSplit.FromTables(data.Train, data.Test, data.ColdFraction, seed, data.MinRating);
            log.WriteLine($"seed {seed}: {split.Train.Items.Count} warm items, {split.ColdItems.Count} cold items; {split.Train.Count} training positives, " +
                $"{split.WarmTest.Count} warm and {split.ColdTest.Count} cold test positives ({split.ColdTest.ActiveUsers().Count()} users with a cold positive)");
            var evaluator = new ColdStartEvaluator(split, new RankingEvaluator.Options { Ks = WithTableKs(data.Ks) });
            // Models fit on the warm training rows minus a validation part that selects their epoch; the warm test still
            // excludes every training positive, validation ones included, as the IRGAN-protocol experiment does.
            var fit = split.Train;
            InteractionData? validation = null;
            if (data.ValidationFraction > 0)
            {
                var carved = HoldoutSplit.PerUser(split.TrainRows, data.ValidationFraction, unchecked(seed + 1), data.MinRating);
                fit = InteractionData.FromTable(carved.Train, split.Train.Users, split.Train.Items, data.MinRating, out _);
                validation = InteractionData.FromTable(carved.Holdout, split.Train.Users, split.Train.Items, data.MinRating, out _);
            }
            foreach (var model in models)
            {
                var run = Evaluate(model, split, evaluator, fit, validation, data, seed);
                runs.Add(run);
                log.WriteLine(FormattableString.Invariant(
                    $"  {model.Name,-16} cold P@5 {Show(run.Cold, 5, m => m.Precision)} NDCG@10 {Show(run.Cold, 10, m => m.Ndcg)} | warm P@5 {run.Warm.At(5).Precision:F4} NDCG@10 {run.Warm.At(10).Ndcg:F4}") +
                    (model.Options is null ? "" : FormattableString.Invariant($" (epoch {run.SelectedEpoch}/{run.Epochs}, {run.Seconds:F0}s)")));
            }
        }
        return runs;
    }

    private static string Show(RankingMetrics? metrics, int k, Func<RankingMetricsAtK, double> pick) =>
        metrics is null ? "   –  " : pick(metrics.At(k)).ToString("F4", System.Globalization.CultureInfo.InvariantCulture);

    private static Run Evaluate(Model model, ColdStartSplit split, ColdStartEvaluator evaluator, InteractionData fit, InteractionData? validation, Data data, int seed)
    {
        switch (model.Baseline)
        {
            case Baseline.ContentOnly:
                return new Run(model.Name, seed,
                    evaluator.EvaluateCold(new ContentSimilarityScorer(split.Train, data.ItemText, split.ColdItems)),
                    evaluator.EvaluateWarm(new ContentSimilarityScorer(split.Train, data.ItemText, split.Train.Items)), 0, 0, 0);
            case Baseline.Random:
                return new Run(model.Name, seed,
                    evaluator.EvaluateCold(new RandomItemScorer(split.ColdItems.Count, seed)),
                    evaluator.EvaluateWarm(new RandomItemScorer(split.Train.Items.Count, seed)), 0, 0, 0);
        }
        var options = model.Options!;
        var trainer = new MLContext(seed).Adversarial().Trainers.Apr(options);
        var clock = Stopwatch.StartNew();
        if (options.ItemText is null)
        {
            var result = trainer.Train(fit, validation, seed, null, out _);
            clock.Stop();
            var warm = evaluator.EvaluateWarm(new FactorizationModelScorer(result.Model, split.Users, split.Train.Items));
            return new Run(model.Name, seed, null, warm, result.SelectedEpoch, result.History.Count, clock.Elapsed.TotalSeconds);
        }
        var hybrid = trainer.TrainHybrid(fit, validation, seed, null, out _);
        clock.Stop();
        var metrics = evaluator.Evaluate(hybrid.Model, data.ItemText);
        return new Run(model.Name, seed, metrics.Cold, metrics.Warm, hybrid.SelectedEpoch, hybrid.History.Count, clock.Elapsed.TotalSeconds);
    }
}
