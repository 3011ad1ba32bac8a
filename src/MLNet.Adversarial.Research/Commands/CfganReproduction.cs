using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.ML;
using MLNet.Adversarial.Cli;
using MLNet.Adversarial.Data;
using MLNet.Adversarial.Evaluation;
using MLNet.Adversarial.Models;
using MLNet.Adversarial.Trainers;

namespace MLNet.Adversarial.Research.Commands;

/// <summary>
/// <c>reproduce --protocol cfgan</c>: CFGAN on the split published with the CFGAN paper (<c>cfgan-ml100k/ML100K.train</c>
/// and <c>ML100K.test</c>; every line is a positive; each user's whole training history is excluded from the ranking),
/// item-based (the authors' MovieLens setting) and user-based (which also serves new users), over several seeds, as the
/// Markdown tables of docs/results.md. Every setting, the number of rounds included, was chosen on a validation split
/// carved from ML100K.train (<c>--tune</c>: 10% of each user's positives held out); the final models are trained on the
/// whole of ML100K.train, and the test file is read only for the final numbers.
/// </summary>
internal static class CfganReproduction
{
    private static readonly int[] Ks = [5, 20];
    private const double ValidationFraction = 0.1;
    private const int ValidationK = 20;

    /// <summary>The two configurations, as chosen on the validation split (the grid is <see cref="Grid"/>).</summary>
    internal static readonly string[] Configurations = ["item-based", "user-based"];

    /// <summary>A configuration by name; its <c>Epochs</c> are the rounds the final model is trained for.</summary>
    internal static CfganTrainer.Options Configuration(string name) => name switch
    {
        // The authors' ML100K settings (parameters.py) with half of G's input purchases hidden while training; 365 rounds,
        // the mean of the best validation rounds of 3 seeds.
        "item-based" => new()
        {
            Orientation = CfganOrientation.ItemBased, Epochs = 365,
            GeneratorHiddenSize = 400, DiscriminatorHiddenSize = 125, GeneratorLearningRate = 1e-4, DiscriminatorLearningRate = 1e-4,
            GeneratorBatchSize = 32, DiscriminatorBatchSize = 64, GeneratorAveragingDecay = 0, ConditionDropout = 0.5,
            ValidationK = ValidationK, Device = TrainingDevice.Cpu,
        },
        // User-based CFGAN's own settings (CfganTrainer.Options.UserBased): a narrower G, a wider and faster D, larger batches, G's weights averaged.
        "user-based" => UserBased(),
        _ => throw new CliException($"Unknown configuration '{name}'."),
    };

    private static CfganTrainer.Options UserBased()
    {
        var options = CfganTrainer.Options.UserBased();
        options.Epochs = 110;
        options.ValidationK = ValidationK;
        options.Device = TrainingDevice.Cpu;
        return options;
    }

    /// <summary>
    /// The configurations scored on the validation split: the authors' settings in both orientations and the directions
    /// explored from them. Each entry starts from <see cref="Configuration"/> and states what it changes.
    /// </summary>
    internal static IEnumerable<(string Name, string Base, Action<CfganTrainer.Options> Configure)> Grid()
    {
        static void Authors(CfganTrainer.Options o)
        {
            o.GeneratorHiddenSize = 400; o.DiscriminatorHiddenSize = 125; o.GeneratorLearningRate = 1e-4; o.DiscriminatorLearningRate = 1e-4;
            o.GeneratorBatchSize = 32; o.DiscriminatorBatchSize = 64; o.GeneratorAveragingDecay = 0; o.ConditionDropout = 0;
        }
        // Item-based runs are 350–420 rounds (8–10 minutes each): the validation curves peak between rounds 180 and 400.
        yield return ("item-based, the authors' settings, condition dropout 0.5 (chosen)", "item-based", o => o.Epochs = 400);
        yield return ("item-based, condition dropout 0.2", "item-based", o => { o.Epochs = 400; o.ConditionDropout = 0.2; });
        yield return ("item-based, condition dropout 0.5, G averaged", "item-based", o => { o.Epochs = 420; o.GeneratorAveragingDecay = 0.999; });
        yield return ("item-based, condition dropout 0.5, lr 1.5e-4 / 1.5e-4", "item-based", o => { o.Epochs = 420; o.GeneratorLearningRate = 1.5e-4; o.DiscriminatorLearningRate = 1.5e-4; });
        yield return ("item-based, the authors' settings", "item-based", o => { Authors(o); o.Epochs = 400; });
        yield return ("item-based, the authors' settings, G L2 3e-3", "item-based", o => { Authors(o); o.Epochs = 400; o.GeneratorL2Regularization = 3e-3; });
        yield return ("item-based, the authors' settings, ZR weight 0.01", "item-based", o => { Authors(o); o.Epochs = 400; o.ZeroReconstructionWeight = 0.01; });
        yield return ("item-based, the authors' settings, G averaged", "item-based", o => { Authors(o); o.Epochs = 400; o.GeneratorAveragingDecay = 0.999; });
        yield return ("item-based, G averaged, D 250 wide at lr 5e-4", "item-based", o => { Authors(o); o.Epochs = 350; o.GeneratorAveragingDecay = 0.999; o.DiscriminatorHiddenSize = 250; o.DiscriminatorLearningRate = 5e-4; });
        yield return ("item-based, G averaged, ZR weight 0.1", "item-based", o => { Authors(o); o.Epochs = 380; o.GeneratorAveragingDecay = 0.999; o.ZeroReconstructionWeight = 0.1; });
        yield return ("item-based, G averaged with decay 0.9998", "item-based", o => { Authors(o); o.Epochs = 380; o.GeneratorAveragingDecay = 0.9998; });
        yield return ("user-based, the authors' settings", "user-based", o => { Authors(o); o.Epochs = 250; });
        yield return ("user-based, G 100, D 250, lr 5e-4 / 2e-3, batches 64 / 128", "user-based", o => { o.GeneratorAveragingDecay = 0; o.Epochs = 150; });
        yield return ("user-based, the same, G averaged (chosen; the defaults)", "user-based", o => o.Epochs = 150);
        yield return ("user-based, the defaults, condition dropout 0.2", "user-based", o => { o.Epochs = 150; o.ConditionDropout = 0.2; });
        yield return ("user-based, the defaults, condition dropout 0.5", "user-based", o => { o.Epochs = 150; o.ConditionDropout = 0.5; });
    }

    /// <param name="Config">The configuration's name.</param>
    /// <param name="Seed">The seed of the initialisation and the sampling.</param>
    /// <param name="Test">The test metrics.</param>
    /// <param name="Rounds">Rounds trained.</param>
    /// <param name="Seconds">Wall-clock training time.</param>
    private sealed record RunResult(string Config, int Seed, RankingMetrics Test, int Rounds, double Seconds);

    public static string Run(int seeds, TextWriter log)
    {
        var (_, split) = Load();
        var evaluator = new RankingEvaluator(new RankingEvaluator.Options { Ks = Ks });
        var itemPop = evaluator.Evaluate(new ItemPopularity(split.Train), split.Train, split.Test);
        var runs = new List<RunResult>();
        for (int seed = 1; seed <= seeds; seed++)
            foreach (var config in Configurations)
            {
                var clock = Stopwatch.StartNew();
                var training = new MLContext(seed).Adversarial().Trainers.Cfgan(Configuration(config)).Train(split.Train, null, seed, null);
                clock.Stop();
                var test = evaluator.Evaluate(new RecommenderModelScorer(training.Model, split.Train.Users, split.Train.Items), split.Train, split.Test);
                var run = new RunResult(config, seed, test, training.History.Count, clock.Elapsed.TotalSeconds);
                runs.Add(run);
                log.WriteLine(FormattableString.Invariant(
                    $"cfgan {config} seed {seed}: P@20 {test.At(20).Precision:F4} NDCG@20 {test.At(20).Ndcg:F4} ({run.Rounds} rounds, {run.Seconds:F0}s)"));
            }
        return Markdown(runs, itemPop, seeds);
    }

    public static string Tune(int seeds, TextWriter log)
    {
        var (trainTable, split) = Load();
        var sb = new StringBuilder();
        sb.AppendLine($"Validation NDCG@{ValidationK} (10% of each user's ML100K.train positives held out; the model ranks from the other 90%), mean over {seeds} seeds; ML100K.test is not read.");
        sb.AppendLine();
        sb.AppendLine($"| configuration | best validation NDCG@{ValidationK} | its round, per seed | rounds run | seconds per run |");
        sb.AppendLine("|---|---|---|---|---|");
        foreach (var (name, configuration, configure) in Grid())
        {
            var scores = new List<double>();
            var rounds = new List<int>();
            var seconds = new List<double>();
            int run = 0;
            for (int seed = 1; seed <= seeds; seed++)
            {
                var (fit, validation) = ValidationSplit(trainTable, split, seed);
                var options = Configuration(configuration);
                configure(options);
                options.EarlyStoppingPatience = 0; // the whole curve: its best round is what the final run is trained for
                var clock = Stopwatch.StartNew();
                var result = new MLContext(seed).Adversarial().Trainers.Cfgan(options).Train(fit, validation, seed, null);
                seconds.Add(clock.Elapsed.TotalSeconds);
                scores.Add(result.History.Single(h => h.Epoch == result.SelectedEpoch).ValidationMetric!.Value);
                rounds.Add(result.SelectedEpoch);
                run = result.History.Count;
            }
            log.WriteLine(FormattableString.Invariant($"{name}: validation NDCG@{ValidationK} {scores.Average():F4}"));
            sb.AppendLine(FormattableString.Invariant($"| {name} | {Reports.MeanStd(scores)} | {string.Join(", ", rounds)} | {run} | {seconds.Average():F0} |"));
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
        foreach (var config in Configurations)
            sb.AppendLine($"| CFGAN {config} (this library) | " + string.Join(" | ", columns.Select(c => Reports.MeanStd(runs.Where(r => r.Config == config).Select(r => c.Value(r.Test))))) + " |");
        sb.AppendLine("| CFGAN item-based (published; epoch chosen on the test file) | 0.444 | 0.294 | 0.152 | 0.360 | 0.476 | 0.433 | 0.681 | 0.693 |");
        sb.AppendLine();
        sb.AppendLine("Per seed:");
        sb.AppendLine();
        sb.AppendLine("| model | seed | P@20 | NDCG@20 | rounds | train time (s) |");
        sb.AppendLine("|---|---|---|---|---|---|");
        foreach (var r in runs.OrderBy(r => Array.IndexOf(Configurations, r.Config)).ThenBy(r => r.Seed))
            sb.AppendLine(FormattableString.Invariant($"| CFGAN {r.Config} | {r.Seed} | {F(r.Test.At(20).Precision)} | {F(r.Test.At(20).Ndcg)} | {r.Rounds} | {r.Seconds:F0} |"));
        return sb.ToString();
    }
}
