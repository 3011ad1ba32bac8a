using System.CommandLine;
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
/// <c>reproduce</c>: the BPR vs APR vs IRGAN experiment on MovieLens-100K under the IRGAN protocol (u1.base/u1.test,
/// ratings ≥ 4, full ranking minus training positives), over several seeds, with the APR robustness attack, written
/// as the Markdown tables of docs/results.md. Hyper-parameters were chosen on a validation split carved from u1.base
/// (see <see cref="Configurations"/>); each run selects its epoch on that split too, never on u1.test. IRGAN's
/// generator starts from the BPR model of the same seed, so the two rows compare IRGAN with the BPR it started from.
/// </summary>
internal static class ReproduceCommand
{
    private static readonly int[] Ks = [3, 5, 10, 20];
    private static readonly double[] AttackEpsilons = [0.1, 0.5, 1.0];
    private const int AttackK = 10;
    private const double ValidationFraction = 0.1;
    private const float MinRating = 4;

    /// <summary>The two configurations, as chosen on the validation split (docs/results.md lists the grid).</summary>
    internal static AprTrainer.Options Configuration(string name) => name switch
    {
        "bpr" => Common(l2: 0.01, adversarialWeight: 0),
        "apr" => Common(l2: 0.001, adversarialWeight: 0.5),
        _ => throw new CliException($"Unknown configuration '{name}'."),
    };

    internal static readonly string[] Configurations = ["bpr", "apr", "irgan"];

    /// <summary>IRGAN as chosen on the validation split (the grid is <see cref="IrganGrid"/>), G starting from <paramref name="initialGenerator"/>.</summary>
    internal static IrganTrainer.Options IrganConfiguration(FactorizationModel initialGenerator) => new()
    {
        EmbeddingDimension = 64, InitialGenerator = initialGenerator, BatchSize = 4096, Optimizer = OptimizerKind.Adam,
        AdversarialEpochs = 50, DiscriminatorEpochs = 4, GeneratorEpochs = 1, GeneratorSamplesPerPositive = 2,
        Temperature = 0.5, DiscriminatorSamplingTemperature = 1, ImportanceMix = ImportanceSamplingMix.Uniform, ImportanceMixWeight = 0.2,
        GeneratorLearningRate = 0.0002, DiscriminatorLearningRate = 0.001, DiscriminatorL2Regularization = 0.01,
        ValidationK = 5, EarlyStoppingPatience = 0, Device = TrainingDevice.Cpu,
    };

    private static AprTrainer.Options Common(double l2, double adversarialWeight) => new()
    {
        EmbeddingDimension = 64, Epochs = 200, BatchSize = 4096, LearningRate = 0.005, L2Regularization = l2,
        Optimizer = OptimizerKind.Adam, NegativeSampler = NegativeSamplerKind.Uniform,
        Epsilon = 0.5, AdversarialWeight = adversarialWeight, AdversarialStartEpoch = 30,
        ValidationK = 5, EarlyStoppingPatience = 30, Device = TrainingDevice.Cpu,
    };

    public static Command Create()
    {
        var seeds = new Option<int>("--seeds") { Description = "Number of seeds (1..N).", DefaultValueFactory = _ => 5 };
        var output = CliSupport.File("--out", "Write the Markdown report here (default: print it).");
        var tune = new Option<bool>("--tune") { Description = "Instead, score the hyper-parameter grid on the validation split only (u1.test is not read)." };
        var protocol = new Option<string>("--protocol") { Description = "irgan: BPR, APR and IRGAN on u1.base/u1.test (ratings ≥ 4); cfgan: CFGAN on the CFGAN paper's ML100K split.", DefaultValueFactory = _ => "irgan" }.AcceptOnlyFromAmong("irgan", "cfgan");
        var coldStart = new Option<bool>("--cold-start") { Description = "Instead, the item-cold-start experiment: hybrid (id + text) BPR and APR against id-only BPR, content-only and random (u.data, 20% of the items held out)." };
        var command = new Command("reproduce", "BPR vs APR vs IRGAN on MovieLens-100K (IRGAN protocol) with the robustness attack, or CFGAN on its own split (--protocol cfgan), several seeds; prints the docs/results.md tables.")
        {
            seeds, output, tune, protocol, coldStart,
        };
        command.SetHandler(c =>
        {
            int n = c.Get(seeds);
            if (n <= 0) throw new CliException("--seeds must be positive.");
            if (c.Get(tune) && c.Get(coldStart)) throw new CliException("--tune and --cold-start are separate experiments; give one.");
            bool cfgan = c.Get(protocol) == "cfgan";
            if (cfgan && c.Get(coldStart)) throw new CliException("--cold-start has its own protocol; leave out --protocol.");
            var report = c.Get(coldStart) ? ColdStartReproduction.Run(n, c.Out)
                : cfgan ? (c.Get(tune) ? CfganReproduction.Tune(n, c.Out) : CfganReproduction.Run(n, c.Out))
                : c.Get(tune) ? Tune(n, c.Out) : Run(n, c.Out);
            if (c.Get(output) is { } path) AtomicFile.WriteAllBytes(path, Encoding.UTF8.GetBytes(report));
            else c.Out.Write(report);
            return 0;
        });
        return command;
    }

    /// <summary>The grid the two configurations were chosen from (by mean validation NDCG@5).</summary>
    private static IEnumerable<(string Name, AprTrainer.Options Options)> Grid()
    {
        foreach (var l2 in new[] { 0.01, 0.001, 0.0001 })
            yield return ($"BPR l2={l2}", Common(l2, 0));
        foreach (var (l2, weight, epsilon) in new[] { (0.01, 1.0, 0.5), (0.01, 1.0, 0.2), (0.001, 1.0, 0.5), (0.001, 0.5, 0.5), (0.001, 1.0, 1.0) })
        {
            var options = Common(l2, weight);
            options.Epsilon = epsilon;
            yield return (FormattableString.Invariant($"APR l2={l2} λ={weight} ε={epsilon}"), options);
        }
    }

    private static string Tune(int seeds, TextWriter log)
    {
        var trainTable = InteractionFileReader.Read(DataLocator.GetPath("ml-100k/u1.base"));
        var users = IdVocabulary.FromColumn(trainTable.Users);
        var items = IdVocabulary.FromColumn(trainTable.Items);
        var sb = new StringBuilder();
        sb.AppendLine($"Validation NDCG@5 (10% of each user's u1.base positives held out), mean over {seeds} seeds; u1.test is not read.");
        sb.AppendLine();
        sb.AppendLine("| configuration | validation NDCG@5 | selected epochs |");
        sb.AppendLine("|---|---|---|");
        foreach (var (name, options) in Grid())
        {
            var scores = new List<double>();
            var epochs = new List<int>();
            for (int seed = 1; seed <= seeds; seed++)
            {
                var (fit, validation) = ValidationSplit(trainTable, users, items, seed);
                var result = new MLContext(seed).Adversarial().Trainers.Apr(options).Train(fit, validation, seed, null, out _);
                scores.Add(result.History.Single(h => h.Epoch == result.SelectedEpoch).ValidationMetric!.Value);
                epochs.Add(result.SelectedEpoch);
            }
            log.WriteLine(FormattableString.Invariant($"{name}: validation NDCG@5 {scores.Average():F4}"));
            sb.AppendLine(FormattableString.Invariant($"| {name} | {scores.Average():F4} | {string.Join(", ", epochs)} |"));
        }

        // IRGAN: every configuration starts from the same BPR generator per seed (epoch 0 below is that BPR model).
        var splits = Enumerable.Range(1, seeds).Select(seed => ValidationSplit(trainTable, users, items, seed)).ToArray();
        var generators = splits.Select((s, k) => new MLContext(k + 1).Adversarial().Trainers.Bpr(Configuration("bpr")).Train(s.Fit, s.Validation, k + 1, null, out _)).ToArray();
        sb.AppendLine(FormattableString.Invariant($"| IRGAN's initial G (the BPR above) | {generators.Average(g => g.History.Single(h => h.Epoch == g.SelectedEpoch).ValidationMetric!.Value):F4} | – |"));
        foreach (var (name, configure) in IrganGrid())
        {
            var scores = new List<double>();
            var epochs = new List<int>();
            for (int k = 0; k < seeds; k++)
            {
                var options = IrganConfiguration(generators[k].Model);
                configure(options);
                var result = new MLContext(k + 1).Adversarial().Trainers.Irgan(options).Train(splits[k].Fit, splits[k].Validation, k + 1, null, out _);
                scores.Add(result.SelectedEpoch == 0
                    ? generators[k].History.Single(h => h.Epoch == generators[k].SelectedEpoch).ValidationMetric!.Value
                    : result.History.Single(h => h.Epoch == result.SelectedEpoch).ValidationMetric!.Value);
                epochs.Add(result.SelectedEpoch);
            }
            log.WriteLine(FormattableString.Invariant($"{name}: validation NDCG@5 {scores.Average():F4}"));
            sb.AppendLine(FormattableString.Invariant($"| {name} | {scores.Average():F4} | {string.Join(", ", epochs)} |"));
        }
        return sb.ToString();
    }

    /// <summary>
    /// The IRGAN grid: the released code's settings (D's fakes drawn at temperature 0.2, one D pass per round, fakes
    /// for G mixed with the user's positives) and the directions explored from them. Each entry sets every setting it
    /// varies, so the rows do not depend on <see cref="IrganConfiguration"/>.
    /// </summary>
    private static IEnumerable<(string Name, Action<IrganTrainer.Options> Configure)> IrganGrid()
    {
        static Action<IrganTrainer.Options> Set(double samplingTemperature, int discriminatorEpochs, double temperature = 1,
            ImportanceSamplingMix mix = ImportanceSamplingMix.Uniform, double generatorLr = 0.0002, double discriminatorLr = 0.001, bool discriminatorFromG = true) => o =>
        {
            o.DiscriminatorSamplingTemperature = samplingTemperature; o.DiscriminatorEpochs = discriminatorEpochs; o.Temperature = temperature;
            o.ImportanceMix = mix; o.GeneratorLearningRate = generatorLr; o.DiscriminatorLearningRate = discriminatorLr;
            o.InitializeDiscriminatorFromGenerator = discriminatorFromG;
        };
        yield return ("IRGAN as released: D τ=0.2, 1 D pass, G lr 0.001, D lr 0.005, mix positives", Set(0.2, 1, mix: ImportanceSamplingMix.UserPositives, generatorLr: 0.001, discriminatorLr: 0.005));
        yield return ("IRGAN D τ=0.2, 4 D passes", Set(0.2, 4));
        yield return ("IRGAN D τ=1, 1 D pass", Set(1, 1));
        yield return ("IRGAN D τ=1, 4 D passes", Set(1, 4));
        yield return ("IRGAN D τ=1, 4 D passes, mix positives", Set(1, 4, mix: ImportanceSamplingMix.UserPositives));
        yield return ("IRGAN D τ=1, 4 D passes, G τ=0.5 (chosen)", Set(1, 4, temperature: 0.5));
        yield return ("IRGAN D τ=1, 4 D passes, D from random (paper)", Set(1, 4, discriminatorFromG: false));
    }

    /// <summary>Training and validation positives carved from u1.base for one seed; u1.test is only ever used for the final numbers.</summary>
    private static (InteractionData Fit, InteractionData Validation) ValidationSplit(InteractionTable trainTable, IdVocabulary users, IdVocabulary items, int seed)
    {
        var (fitTable, validationTable) = HoldoutSplit.PerUser(trainTable, ValidationFraction, seed, MinRating);
        return (InteractionData.FromTable(fitTable, users, items, MinRating, out _), InteractionData.FromTable(validationTable, users, items, MinRating, out _));
    }

    private sealed record RunResult(string Config, int Seed, RankingMetrics Test, IReadOnlyList<RobustnessResult> Attack, int SelectedEpoch, int Epochs, double Seconds, double PairsPerSecond);

    private static string Run(int seeds, TextWriter log)
    {
        var trainTable = InteractionFileReader.Read(DataLocator.GetPath("ml-100k/u1.base"));
        var testTable = InteractionFileReader.Read(DataLocator.GetPath("ml-100k/u1.test"));
        var split = TrainTestSplit.FromTables(trainTable, testTable, MinRating);
        var users = IdVocabulary.FromColumn(trainTable.Users);
        var items = IdVocabulary.FromColumn(trainTable.Items);
        var evaluator = new RankingEvaluator(new RankingEvaluator.Options { Ks = Ks });
        var itemPop = evaluator.Evaluate(new ItemPopularity(split.Train), split.Train, split.Test);
        var attack = new RobustnessEvaluator(new RobustnessEvaluator.Options { Epsilons = AttackEpsilons, Ranking = new RankingEvaluator.Options { Ks = [AttackK] } });

        var results = new List<RunResult>();
        for (int seed = 1; seed <= seeds; seed++)
        {
            var (fit, validation) = ValidationSplit(trainTable, users, items, seed);
            FactorizationModel? bpr = null;
            double bprSeconds = 0;
            foreach (var config in Configurations)
            {
                var clock = Stopwatch.StartNew();
                // IRGAN's G starts from this seed's BPR model, so its time includes BPR's.
                var training = config == "irgan"
                    ? new MLContext(seed).Adversarial().Trainers.Irgan(IrganConfiguration(bpr!)).Train(fit, validation, seed, null, out _)
                    : new MLContext(seed).Adversarial().Trainers.Apr(Configuration(config)).Train(fit, validation, seed, null, out _);
                clock.Stop();
                var model = training.Model;
                if (config == "bpr") (bpr, bprSeconds) = (model, clock.Elapsed.TotalSeconds);
                double seconds = clock.Elapsed.TotalSeconds + (config == "irgan" ? bprSeconds : 0);
                var test = evaluator.Evaluate(new FactorizationModelScorer(model, split.Train.Users, split.Train.Items), split.Train, split.Test);
                var robustness = attack.Evaluate(model, split.Train, split.Test);
                var pairs = training.History.Sum(h => (double)h.Pairs) / training.History.Sum(h => h.Seconds);
                var run = new RunResult(config, seed, test, robustness, training.SelectedEpoch, training.History.Count, seconds, pairs);
                results.Add(run);
                log.WriteLine(FormattableString.Invariant(
                    $"{config} seed {seed}: P@5 {test.At(5).Precision:F4} NDCG@5 {test.At(5).Ndcg:F4} (epoch {run.SelectedEpoch}/{run.Epochs}, {run.Seconds:F0}s); NDCG@10 drop at ε=0.5 {robustness[1].RelativeDrop[0].Ndcg:P1}"));
            }
        }
        return Markdown(results, itemPop, seeds);
    }

    private static string Markdown(List<RunResult> runs, RankingMetrics itemPop, int seeds)
    {
        static string F(double v) => v.ToString("F4", CultureInfo.InvariantCulture);
        static (double Mean, double Std) Stats(IEnumerable<double> values) => Reports.Stats(values);
        static string MeanStd(IEnumerable<double> values) => Reports.MeanStd(values);
        string SignedMeanStd(IEnumerable<double> values) { var (m, s) = Stats(values); return $"{m.ToString("+0.0000;-0.0000", CultureInfo.InvariantCulture)} ± {F(s)}"; }

        var sb = new StringBuilder();
        sb.AppendLine($"Mean ± sample standard deviation over {seeds} seeds; IRGAN protocol on `u1.base`/`u1.test` (ratings ≥ 4, full ranking over all 1,682 items minus the user's training positives, {itemPop.UserCount} users).");
        sb.AppendLine();
        sb.AppendLine("| model | P@3 | P@5 | P@10 | NDCG@3 | NDCG@5 | NDCG@10 |");
        sb.AppendLine("|---|---|---|---|---|---|---|");
        sb.AppendLine($"| ItemPop | {F(itemPop.At(3).Precision)} | {F(itemPop.At(5).Precision)} | {F(itemPop.At(10).Precision)} | {F(itemPop.At(3).Ndcg)} | {F(itemPop.At(5).Ndcg)} | {F(itemPop.At(10).Ndcg)} |");
        foreach (var config in Configurations)
        {
            var mine = runs.Where(r => r.Config == config).ToList();
            sb.AppendLine($"| {config.ToUpperInvariant()} | {MeanStd(mine.Select(r => r.Test.At(3).Precision))} | {MeanStd(mine.Select(r => r.Test.At(5).Precision))} | {MeanStd(mine.Select(r => r.Test.At(10).Precision))} | {MeanStd(mine.Select(r => r.Test.At(3).Ndcg))} | {MeanStd(mine.Select(r => r.Test.At(5).Ndcg))} | {MeanStd(mine.Select(r => r.Test.At(10).Ndcg))} |");
        }
        sb.AppendLine();
        sb.AppendLine($"Robustness: relative NDCG@{AttackK} drop under the APR attack (every user and item embedding moved by ε, per-row L2 norm, in the direction that increases the BPR loss).");
        sb.AppendLine();
        sb.AppendLine("| model | clean NDCG@10 | " + string.Join(" | ", AttackEpsilons.Select(e => $"drop at ε = {e.ToString(CultureInfo.InvariantCulture)}")) + " |");
        sb.AppendLine("|---|---|" + string.Concat(AttackEpsilons.Select(_ => "---|")));
        foreach (var config in Configurations)
        {
            var mine = runs.Where(r => r.Config == config).ToList();
            sb.Append($"| {config.ToUpperInvariant()} | {MeanStd(mine.Select(r => r.Attack[0].Clean.At(AttackK).Ndcg))} |");
            for (int e = 0; e < AttackEpsilons.Length; e++)
            {
                var (m, s) = Stats(mine.Select(r => r.Attack[e].RelativeDrop[0].Ndcg * 100));
                sb.Append(FormattableString.Invariant($" {m:F1}% ± {s:F1} |"));
            }
            sb.AppendLine();
        }
        sb.AppendLine();
        sb.AppendLine("IRGAN against the BPR model its generator started from (same seed, same validation split; paired differences, IRGAN − BPR):");
        sb.AppendLine();
        sb.AppendLine("| metric | BPR (initial G) | IRGAN (G) | difference | seeds where IRGAN is higher |");
        sb.AppendLine("|---|---|---|---|---|");
        foreach (var (name, metric) in new (string, Func<RankingMetrics, double>)[] { ("P@5", m => m.At(5).Precision), ("NDCG@5", m => m.At(5).Ndcg), ("P@10", m => m.At(10).Precision), ("NDCG@10", m => m.At(10).Ndcg) })
        {
            var pairs = runs.Where(r => r.Config == "irgan").Select(g => (Bpr: metric(runs.Single(r => r.Config == "bpr" && r.Seed == g.Seed).Test), Gan: metric(g.Test))).ToList();
            sb.AppendLine($"| {name} | {MeanStd(pairs.Select(p => p.Bpr))} | {MeanStd(pairs.Select(p => p.Gan))} | {SignedMeanStd(pairs.Select(p => p.Gan - p.Bpr))} | {pairs.Count(p => p.Gan > p.Bpr)} of {pairs.Count} |");
        }
        sb.AppendLine();
        sb.AppendLine("Per seed (IRGAN: selected round / rounds of the game, 0 = its initial G; its time includes the BPR pre-training):");
        sb.AppendLine();
        sb.AppendLine("| model | seed | P@5 | NDCG@5 | NDCG@10 | selected epoch / run | train time (s) | pairs/s |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var r in runs.OrderBy(r => r.Config).ThenBy(r => r.Seed))
            sb.AppendLine(FormattableString.Invariant($"| {r.Config.ToUpperInvariant()} | {r.Seed} | {F(r.Test.At(5).Precision)} | {F(r.Test.At(5).Ndcg)} | {F(r.Test.At(10).Ndcg)} | {r.SelectedEpoch} / {r.Epochs} | {r.Seconds:F0} | {r.PairsPerSecond / 1e6:F2}M |"));
        return sb.ToString();
    }
}
