using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.ML;
using MLNet.Adversarial.Data;
using MLNet.Adversarial.Evaluation;
using MLNet.Adversarial.Models;
using MLNet.Adversarial.Trainers;

namespace MLNet.Adversarial.Cli.Commands;

/// <summary>
/// <c>reproduce --protocol cfgan</c>: CFGAN on the split published with the CFGAN paper (<c>cfgan-ml100k/ML100K.train</c>
/// and <c>ML100K.test</c>; every line is a positive; each user's whole training history is excluded from the ranking),
/// over several seeds, as the Markdown tables of docs/results.md. Each seed selects its number of rounds on a validation
/// split carved from ML100K.train (10% of each user's positives), then trains again on the whole of ML100K.train for
/// that many rounds (same seed); the test file is read only for the final numbers. The model trained on the 90% is
/// reported too, ranking from each user's whole training history (the validation rows included).
/// </summary>
internal static class CfganReproduction
{
    private static readonly int[] Ks = [5, 20];
    private const double ValidationFraction = 0.1;
    private const int ValidationK = 20;

    /// <summary>The configuration chosen on the validation split (the grid is <see cref="Grid"/>).</summary>
    internal static CfganTrainer.Options Configuration() => new()
    {
        Epochs = 150, EarlyStoppingPatience = 30, ValidationK = ValidationK, Device = TrainingDevice.Cpu,
        GeneratorHiddenSize = 100, DiscriminatorHiddenSize = 250, GeneratorLearningRate = 0.0005, DiscriminatorLearningRate = 0.002,
        GeneratorAveragingDecay = 0.999,
    };

    /// <summary>
    /// The configurations explored on the validation split, from the authors' ML100K settings (<c>new CfganTrainer.Options()</c>
    /// with their G width, learning rates and schedule) to the chosen one. Each entry states what it changes.
    /// </summary>
    internal static IEnumerable<(string Name, Action<CfganTrainer.Options> Configure)> Grid()
    {
        yield return ("authors' ML100K settings (G 400, D 125, lr 1e-4 / 1e-4)", o =>
        {
            o.GeneratorHiddenSize = 400; o.DiscriminatorHiddenSize = 125; o.GeneratorLearningRate = 1e-4; o.DiscriminatorLearningRate = 1e-4; o.GeneratorAveragingDecay = 0;
        });
        yield return ("G 100, D 250, lr 5e-4 / 2e-3", o => o.GeneratorAveragingDecay = 0);
        yield return ("G 100, D 250, lr 5e-4 / 2e-3, G averaged (chosen)", _ => { });
    }

    /// <param name="Seed">The seed of the validation split, the initialisation and the sampling.</param>
    /// <param name="Test">The model trained on all of ML100K.train for <paramref name="SelectedEpoch"/> rounds.</param>
    /// <param name="Validated">The model of the selected round of the validation run (trained on 90%).</param>
    /// <param name="SelectedEpoch">The round selected on the validation split.</param>
    /// <param name="Epochs">Rounds the validation run took (early stopping).</param>
    /// <param name="Seconds">Both runs' wall-clock time.</param>
    private sealed record RunResult(int Seed, RankingMetrics Test, RankingMetrics Validated, int SelectedEpoch, int Epochs, double Seconds);

    public static string Run(int seeds, TextWriter log)
    {
        var (trainTable, split) = Load();
        var evaluator = new RankingEvaluator(new RankingEvaluator.Options { Ks = Ks });
        var itemPop = evaluator.Evaluate(new ItemPopularity(split.Train), split.Train, split.Test);
        var runs = new List<RunResult>();
        for (int seed = 1; seed <= seeds; seed++)
        {
            var (fit, validation) = ValidationSplit(trainTable, split, seed);
            var clock = Stopwatch.StartNew();
            var selection = new MLContext(seed).Adversarial().Trainers.Cfgan(Configuration()).Train(fit, validation, seed, null);
            var refit = Configuration();
            refit.Epochs = selection.SelectedEpoch;
            var final = new MLContext(seed).Adversarial().Trainers.Cfgan(refit).Train(split.Train, null, seed, null);
            clock.Stop();
            RankingMetrics Test(IRecommenderModel model) =>
                evaluator.Evaluate(new RecommenderModelScorer(model, split.Train.Users, split.Train.Items), split.Train, split.Test);
            // The validated model serves from each user's whole training history, the validation rows included.
            var run = new RunResult(seed, Test(final.Model), Test(selection.Model.WithPurchases(split.Train)),
                selection.SelectedEpoch, selection.History.Count, clock.Elapsed.TotalSeconds);
            runs.Add(run);
            log.WriteLine(FormattableString.Invariant(
                $"cfgan seed {seed}: P@20 {run.Test.At(20).Precision:F4} NDCG@20 {run.Test.At(20).Ndcg:F4} ({run.SelectedEpoch} rounds, selected of {run.Epochs}; {run.Seconds:F0}s)"));
        }
        return Markdown(runs, itemPop, seeds);
    }

    public static string Tune(int seeds, TextWriter log)
    {
        var (trainTable, split) = Load();
        var sb = new StringBuilder();
        sb.AppendLine($"Validation NDCG@{ValidationK} (10% of each user's ML100K.train positives held out), mean over {seeds} seeds; ML100K.test is not read.");
        sb.AppendLine();
        sb.AppendLine($"| configuration | validation NDCG@{ValidationK} | selected rounds | seconds |");
        sb.AppendLine("|---|---|---|---|");
        foreach (var (name, configure) in Grid())
        {
            var scores = new List<double>();
            var rounds = new List<int>();
            var seconds = new List<double>();
            for (int seed = 1; seed <= seeds; seed++)
            {
                var (fit, validation) = ValidationSplit(trainTable, split, seed);
                var options = Configuration();
                configure(options);
                var clock = Stopwatch.StartNew();
                var result = new MLContext(seed).Adversarial().Trainers.Cfgan(options).Train(fit, validation, seed, null);
                seconds.Add(clock.Elapsed.TotalSeconds);
                scores.Add(result.History.Single(h => h.Epoch == result.SelectedEpoch).ValidationMetric!.Value);
                rounds.Add(result.SelectedEpoch);
            }
            log.WriteLine(FormattableString.Invariant($"{name}: validation NDCG@{ValidationK} {scores.Average():F4}"));
            sb.AppendLine(FormattableString.Invariant($"| {name} | {Reports.MeanStd(scores)} | {string.Join(", ", rounds)} | {seconds.Average():F0} |"));
        }
        return sb.ToString();
    }

    private static (InteractionTable Train, TrainTestSplit Split) Load()
    {
        var trainTable = InteractionFileReader.Read(DataLocator.GetPath("cfgan-ml100k/ML100K.train"));
        var testTable = InteractionFileReader.Read(DataLocator.GetPath("cfgan-ml100k/ML100K.test"));
        return (trainTable, TrainTestSplit.FromTables(trainTable, testTable, minRating: null));
    }

    /// <summary>Training and validation positives carved from ML100K.train for one seed, over the evaluation vocabularies.</summary>
    private static (InteractionData Fit, InteractionData Validation) ValidationSplit(InteractionTable trainTable, TrainTestSplit split, int seed)
    {
        var (fitTable, validationTable) = HoldoutSplit.PerUser(trainTable, ValidationFraction, seed);
        return (InteractionData.FromTable(fitTable, split.Train.Users, split.Train.Items, null, out _),
            InteractionData.FromTable(validationTable, split.Train.Users, split.Train.Items, null, out _));
    }

    private static string Markdown(List<RunResult> runs, RankingMetrics itemPop, int seeds)
    {
        static string F(double v) => v.ToString("F4", CultureInfo.InvariantCulture);
        (string Name, Func<RankingMetrics, double> Value)[] columns =
        [
            ("P@5", m => m.At(5).Precision), ("P@20", m => m.At(20).Precision), ("R@5", m => m.At(5).Recall), ("R@20", m => m.At(20).Recall),
            ("NDCG@5", m => m.At(5).Ndcg), ("NDCG@20", m => m.At(20).Ndcg), ("MRR@5", m => m.At(5).Mrr), ("MRR@20", m => m.At(20).Mrr),
        ];
        var sb = new StringBuilder();
        sb.AppendLine($"Mean ± sample standard deviation over {seeds} seeds; CFGAN protocol on `ML100K.train`/`ML100K.test` (every line a positive, full ranking minus each user's training items, {itemPop.UserCount} users).");
        sb.AppendLine();
        sb.AppendLine("| model | " + string.Join(" | ", columns.Select(c => c.Name)) + " |");
        sb.AppendLine("|---|" + string.Concat(columns.Select(_ => "---|")));
        sb.AppendLine("| ItemPop | " + string.Join(" | ", columns.Select(c => F(c.Value(itemPop)))) + " |");
        sb.AppendLine("| CFGAN (this library) | " + string.Join(" | ", columns.Select(c => Reports.MeanStd(runs.Select(r => c.Value(r.Test))))) + " |");
        sb.AppendLine("| CFGAN, the validation run's model (90% of ML100K.train) | " + string.Join(" | ", columns.Select(c => Reports.MeanStd(runs.Select(r => c.Value(r.Validated))))) + " |");
        sb.AppendLine("| CFGAN (published, item-based) | 0.444 | 0.294 | 0.152 | 0.360 | 0.476 | 0.433 | 0.681 | 0.693 |");
        sb.AppendLine();
        sb.AppendLine("Per seed:");
        sb.AppendLine();
        sb.AppendLine("| seed | P@20 | NDCG@20 | rounds (selected / validation run) | train time, both runs (s) |");
        sb.AppendLine("|---|---|---|---|---|");
        foreach (var r in runs)
            sb.AppendLine(FormattableString.Invariant($"| {r.Seed} | {F(r.Test.At(20).Precision)} | {F(r.Test.At(20).Ndcg)} | {r.SelectedEpoch} / {r.Epochs} | {r.Seconds:F0} |"));
        return sb.ToString();
    }
}
