using System.Globalization;
using Microsoft.ML;
using MLNet.Adversarial.Data;
using MLNet.Adversarial.Tests.Cli;
using MLNet.Adversarial.Trainers;
using MLNet.Adversarial.Tuning;

namespace MLNet.Adversarial.Tests.Tuning;

[TestClass]
public sealed class RecommenderTunerTests
{
    private static readonly InteractionTable Data = SyntheticInteractions.Generate(new() { Users = 100, Items = 200, Interactions = 2000, Seed = 5 });

    private string _root = null!;

    [TestInitialize]
    public void CreateFolder() => _root = Directory.CreateTempSubdirectory("mlnet-adv-tune-").FullName;

    [TestCleanup]
    public void DeleteFolder() => Directory.Delete(_root, recursive: true);

    /// <summary>A tiny search: BPR only, rungs of 1 and 3 epochs, no defaults trial, a trial limit instead of a clock.</summary>
    private static TuningOptions Tiny(int maxTrials, int seed = 7, string? trialsFile = null, IProgress<TuningProgress>? progress = null) => new()
    {
        UserColumnName = InteractionDataView.Columns.User, ItemColumnName = InteractionDataView.Columns.Item,
        Trainers = [TunableTrainer.Bpr], MaxTrials = maxTrials, MinEpochs = 1, MaxEpochs = 3, Eta = 3, IncludeDefaults = false,
        Seed = seed, TrialsFile = trialsFile, Progress = progress, ValidationFraction = 0.2,
    };

    private static TuningResult Tune(TuningOptions options) => new MLContext(1).Adversarial().Tune(new InteractionDataView(Data), options);

    private static string Describe(TuningTrial t) =>
        $"{t.Key} {t.Trainer} {t.Epochs} {string.Join(",", t.Parameters.Select(p => p.Key + "=" + p.Value))} {t.ValidationNdcg.ToString("R", CultureInfo.InvariantCulture)} {t.SelectedEpoch}";

    [TestMethod]
    public void TheSameSeedGivesTheSameSearchAndAnotherSeedAnother()
    {
        var a = Tune(Tiny(4));
        var b = Tune(Tiny(4));
        var other = Tune(Tiny(4, seed: 8));
        a.Model.Dispose(); b.Model.Dispose(); other.Model.Dispose();

        CollectionAssert.AreEqual(a.Trials.Select(Describe).ToArray(), b.Trials.Select(Describe).ToArray());
        Assert.AreEqual(a.Best.Key, b.Best.Key);
        Assert.HasCount(4, a.Trials);
        CollectionAssert.AreNotEqual(a.Trials.Select(t => t.Parameters["LearningRate"]).ToArray(), other.Trials.Select(t => t.Parameters["LearningRate"]).ToArray());
    }

    [TestMethod]
    [DataRow(TunableTrainer.Irgan)]
    [DataRow(TunableTrainer.Cfgan)]
    public void TheGanTrainersAreTunedEndToEndOverTheirDeclaredSpaces(TunableTrainer trainer)
    {
        var options = Tiny(4);
        options.Trainers = [trainer];
        var result = Tune(options);
        using var model = result.Model;

        var space = TrainerSearchSpace.For(trainer);
        var declared = space.Parameters.Select(p => p.Name).Order(StringComparer.Ordinal).ToArray();
        Assert.IsNotEmpty(declared, $"{trainer} declares no search range");
        Assert.HasCount(4, result.Trials);
        foreach (var t in result.Trials)
        {
            Assert.IsNull(t.Error, $"{t.Key}: {t.Error}");
            Assert.AreEqual(space.Name, t.Trainer);
            CollectionAssert.AreEqual(declared, t.Parameters.Keys.ToArray(), $"{t.Key} searched another space");
            Assert.IsGreaterThan(0, t.EpochsRun);
        }
        Assert.AreEqual(3, result.Trials[3].Epochs, "the best of the first rung is promoted with η times the epochs");

        // The winner is refit with its own sampled options, selected on the validation split.
        Assert.AreEqual(result.Trials.Where(t => t.Error is null).MaxBy(t => t.ValidationNdcg)!.Key, result.Best.Key);
        Assert.AreEqual(space.CreateDefaults().GetType(), result.BestOptions.GetType());
        var set = HyperParameterSet.For(result.BestOptions.GetType());
        foreach (var (name, value) in result.Best.Parameters)
            Assert.AreEqual(value, HyperParameter.Format(set[name].GetValue(result.BestOptions)!), $"the refit's {name}");
        Assert.IsNotNull(model.Training.ModelSelection, "the served model is the refit, not the trial's");
        Assert.AreEqual(result.Best.SelectedEpoch, model.Training.ModelSelection!.SelectedEpoch);
    }

    [TestMethod]
    [DataRow("irgan")]
    [DataRow("cfgan")]
    public void TuningAGanTrainerWritesTheWholeModelFolder(string trainer)
    {
        string train = Path.Combine(_root, "train.tsv"), dir = Path.Combine(_root, "tuned");
        var users = Data.Users.Int64Values.ToArray();
        var items = Data.Items.Int64Values.ToArray();
        File.WriteAllLines(train, users.Select((u, r) => $"{u}\t{items[r]}"));
        var run = InProcessCli.Run("tune", "--train", train, "--trainers", trainer, "--min-epochs", "1", "--max-epochs", "3", "--no-defaults", "--max-trials", "4",
            "--validation-fraction", "0.2", "--out", dir);
        Assert.AreEqual(0, run.ExitCode, run.Error);
        TuneCliTests.AssertTunedFolder(dir);
        StringAssert.Contains(run.Out, $"winner: c");
        StringAssert.Contains(run.Out, $" {trainer} validation NDCG@10");
    }

    [TestMethod]
    public void ConsecutiveConfigurationsDrawUncorrelatedChoices()
    {
        // Seeded generators with consecutive seeds are correlated: every BPR configuration once drew the same item-bias choice.
        var options = Tiny(1);
        var biases = Enumerable.Range(0, 40).Select(i => RecommenderTuner.Configuration(options, i).Parameters["UseItemBias"]).ToArray();
        Assert.IsTrue(biases.Contains("true") && biases.Contains("false"), string.Join(",", biases));
        var candidates = Enumerable.Range(0, 40).Select(i => RecommenderTuner.Configuration(options, i).Parameters["DynamicCandidates"]).Distinct().Count();
        Assert.IsGreaterThan(5, candidates);
    }

    [TestMethod]
    public void SuccessiveHalvingPromotesTheBestThirdWithThreeTimesTheEpochs()
    {
        var result = Tune(Tiny(4));
        result.Model.Dispose();
        var first = result.Trials.Take(3).ToArray();
        Assert.IsTrue(first.All(t => t.Epochs == 1 && t.Rung == 0));
        var promoted = result.Trials[3];
        Assert.AreEqual(3, promoted.Epochs);
        Assert.AreEqual(first.OrderByDescending(t => t.ValidationNdcg).First().Configuration, promoted.Configuration);
    }

    [TestMethod]
    public void AResumedSearchSkipsFinishedTrialsAndEndsAsAnUninterruptedOne()
    {
        string file = Path.Combine(_root, "trials.json");
        Tune(Tiny(3, trialsFile: file)).Model.Dispose(); // "killed" after three trials: the file holds them
        var resumed = new List<bool>();
        var continued = Tune(Tiny(5, trialsFile: file, progress: new Recorder(p => resumed.Add(p.Resumed))));
        continued.Model.Dispose();
        var fresh = Tune(Tiny(5));
        fresh.Model.Dispose();

        CollectionAssert.AreEqual(new[] { true, true, true, false, false }, resumed);
        CollectionAssert.AreEqual(fresh.Trials.Select(Describe).ToArray(), continued.Trials.Select(Describe).ToArray());
    }

    [TestMethod]
    public void ATrialsFileOfAnotherSearchIsRefused()
    {
        string file = Path.Combine(_root, "trials.json");
        Tune(Tiny(1, trialsFile: file)).Model.Dispose();
        var e = Assert.ThrowsExactly<InvalidDataException>(() => Tune(Tiny(1, seed: 99, trialsFile: file)));
        StringAssert.Contains(e.Message, "another search");
    }

    [TestMethod]
    public void TheWinnerIsRefitOnAllTheRowsReplayingItsSelectedEpochs()
    {
        var result = Tune(Tiny(4));
        using var model = result.Model;
        var best = result.Trials.Where(t => t.Error is null).MaxBy(t => t.ValidationNdcg)!;
        Assert.AreEqual(best.Key, result.Best.Key);
        Assert.IsNotNull(model.Training.ModelSelection, "the served model is the refit, not the trial's");
        Assert.AreEqual(best.SelectedEpoch, model.Training.ModelSelection!.SelectedEpoch);
        Assert.HasCount(best.SelectedEpoch, model.Training.History);
        // Every positive (validation share included) is trained on in each refit epoch.
        long negatives = long.Parse(best.Parameters["NegativesPerPositive"], CultureInfo.InvariantCulture);
        Assert.AreEqual(InteractionData.FromTable(Data, null).Count * negatives, model.Training.History[0].Pairs);
    }

    [TestMethod]
    public void EverySearchedValueLiesInItsDeclaredRangeAndTheSpaceIsTheDeclaredOne()
    {
        foreach (var trainer in Enum.GetValues<TunableTrainer>())
        {
            var space = TrainerSearchSpace.For(trainer);
            var declared = HyperParameterSet.For(space.CreateDefaults().GetType()).Parameters.Where(p => p.Search is not null).Select(p => p.Name).ToHashSet();
            Assert.IsTrue(space.Parameters.All(p => declared.Contains(p.Name)));
            Assert.AreEqual(trainer == TunableTrainer.Apr, space.Parameters.Any(p => p.Name == nameof(AprTrainer.Options.AdversarialWeight)), $"{trainer}: only APR searches the adversarial weight (BPR is APR with λ = 0)");
            for (int i = 0; i < 20; i++)
            {
                var values = space.Sample(new Random(i));
                var options = space.Create(values);
                options.Validate();
                foreach (var p in space.Parameters)
                {
                    var search = p.Search!;
                    if (search.Choices is not null) continue;
                    double v = Convert.ToDouble(p.GetValue(options), CultureInfo.InvariantCulture);
                    Assert.IsTrue(v >= search.Min * 0.995 && v <= search.Max * 1.005, $"{trainer}.{p.Name} = {v} outside [{search.Min}, {search.Max}]");
                }
            }
        }
    }

    [TestMethod]
    public void ADeclaredRangeChangeChangesTheSampledValues()
    {
        var narrow = TrainerSearchSpace.Sample(HyperParameterSet.For<NarrowRange>().Parameters, new Random(3));
        var wide = TrainerSearchSpace.Sample(HyperParameterSet.For<WideRange>().Parameters, new Random(3));
        double n = double.Parse(narrow["Rate"], CultureInfo.InvariantCulture), w = double.Parse(wide["Rate"], CultureInfo.InvariantCulture);
        Assert.IsTrue(n is >= 1 and <= 2, $"narrow {n}");
        Assert.IsTrue(w is >= 10 and <= 20, $"wide {w}");
        Assert.AreEqual(int.Parse(narrow["Count"], CultureInfo.InvariantCulture) + 100, int.Parse(wide["Count"], CultureInfo.InvariantCulture), "the same draw over a range moved by 100");
    }

    [TestMethod]
    public void BadOptionsNameTheOption()
    {
        var o = Tiny(1);
        o.MaxTrials = null;
        Assert.AreEqual(nameof(TuningOptions.TimeBudget), Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Tune(o)).ParamName);
        o = Tiny(1);
        o.MaxEpochs = 0;
        Assert.AreEqual(nameof(TuningOptions.MaxEpochs), Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Tune(o)).ParamName);
    }

    private sealed class Recorder(Action<TuningProgress> record) : IProgress<TuningProgress>
    {
        public void Report(TuningProgress value) => record(value);
    }

    private sealed class NarrowRange
    {
        [HyperParameter("rate", "--rate", "A rate.", SearchMin = 1, SearchMax = 2)]
        public double Rate { get; set; } = 1;

        [HyperParameter("count", "--count", "A count.", SearchMin = 0, SearchMax = 9)]
        public int Count { get; set; }
    }

    private sealed class WideRange
    {
        [HyperParameter("rate", "--rate", "A rate.", SearchMin = 10, SearchMax = 20)]
        public double Rate { get; set; } = 10;

        [HyperParameter("count", "--count", "A count.", SearchMin = 100, SearchMax = 109)]
        public int Count { get; set; }
    }
}
