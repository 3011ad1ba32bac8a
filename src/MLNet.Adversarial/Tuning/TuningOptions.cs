using MLNet.Adversarial.Trainers;

namespace MLNet.Adversarial.Tuning;

/// <summary>Options of <see cref="RecommenderTuner"/> (<c>mlContext.Adversarial().Tune(data, options)</c>).</summary>
public sealed class TuningOptions
{
    /// <summary>Default values, as in ML.NET's <c>Defaults</c> classes.</summary>
    public static class Defaults
    {
        /// <summary>Default <see cref="MinEpochs"/>: rungs of 9, 27 and 81 epochs (3-epoch rungs ranked MovieLens configurations poorly and made brackets of 27 that a 10-minute budget did not finish; docs/tuning.md).</summary>
        public const int MinEpochs = 9;
        /// <summary>Default <see cref="MaxEpochs"/>.</summary>
        public const int MaxEpochs = 81;
        /// <summary>Default <see cref="Eta"/>.</summary>
        public const int Eta = 3;
        /// <summary>Default <see cref="ValidationFraction"/>.</summary>
        public const double ValidationFraction = RecommenderTrainerOptions.Defaults.ValidationFraction;
        /// <summary>Default <see cref="Seed"/>.</summary>
        public const int Seed = 42;
    }

    /// <summary>The user id column (key, integer or text).</summary>
    public string UserColumnName { get; set; } = RecommenderTrainerOptions.Defaults.UserColumnName;

    /// <summary>The item id column (key, integer or text).</summary>
    public string ItemColumnName { get; set; } = RecommenderTrainerOptions.Defaults.ItemColumnName;

    /// <summary>Optional rating column; with <see cref="MinRating"/> it selects the positives.</summary>
    public string? RatingColumnName { get; set; }

    /// <summary>Rows rated at or above this value are positives (null: every row).</summary>
    public float? MinRating { get; set; }

    /// <summary>The trainers searched; configurations take them in turn.</summary>
    public IReadOnlyList<TunableTrainer> Trainers { get; set; } = [TunableTrainer.Bpr, TunableTrainer.Apr, TunableTrainer.Irgan, TunableTrainer.Cfgan];

    /// <summary>Successive halving over epochs, or plain random search at <see cref="MaxEpochs"/>.</summary>
    public TuningStrategy Strategy { get; set; } = TuningStrategy.SuccessiveHalving;

    /// <summary>Seeds the sampled configurations, every trial's initialisation and the validation split.</summary>
    public int Seed { get; set; } = Defaults.Seed;

    /// <summary>Wall-clock budget of the whole run, refit included (checked between trials and between epochs). Null: no limit (set <see cref="MaxTrials"/>).</summary>
    public TimeSpan? TimeBudget { get; set; }

    /// <summary>At most this many trials (resumed ones included). Null: no limit (set <see cref="TimeBudget"/>). Makes a search independent of the clock.</summary>
    public int? MaxTrials { get; set; }

    /// <summary>Epoch budget of the first rung of successive halving.</summary>
    public int MinEpochs { get; set; } = Defaults.MinEpochs;

    /// <summary>Epoch budget of the last rung (and of every random-search trial): a trial's budget is its maximum number of epochs.</summary>
    public int MaxEpochs { get; set; } = Defaults.MaxEpochs;

    /// <summary>η: each rung keeps the best 1/η of its trials and gives them η times the epochs.</summary>
    public int Eta { get; set; } = Defaults.Eta;

    /// <summary>Per-user share of the training positives held out (seeded by <see cref="Seed"/>) to score every trial; the test data is never read.</summary>
    public double ValidationFraction { get; set; } = Defaults.ValidationFraction;

    /// <summary>Whether each trainer's defaults (at its own default epochs) are a trial too, run first: the baseline the search must beat.</summary>
    public bool IncludeDefaults { get; set; } = true;

    /// <summary>Where every finished trial is saved (atomically, after each trial); an existing file of the same search is resumed: its trials are not run again.</summary>
    public string? TrialsFile { get; set; }

    /// <summary>libtorch threads per trial (null: 1, as for training).</summary>
    public int? NumberOfThreads { get; set; }

    /// <summary>Receives one report per trial.</summary>
    public IProgress<TuningProgress>? Progress { get; set; }

    /// <summary>Stops the search (and the refit) at the next batch.</summary>
    public CancellationToken CancellationToken { get; set; }

    /// <summary>Throws an <see cref="ArgumentOutOfRangeException"/> naming the first bad option.</summary>
    public void Validate()
    {
        Check(Trainers is { Count: > 0 } && Trainers.Distinct().Count() == Trainers.Count && Trainers.All(Enum.IsDefined), nameof(Trainers), "must list each trainer at most once, at least one");
        Check(TimeBudget is not null || MaxTrials is not null, nameof(TimeBudget), "or MaxTrials must be set (a search needs an end)");
        Check(TimeBudget is null || TimeBudget > TimeSpan.Zero, nameof(TimeBudget), "must be positive");
        Check(MaxTrials is null or > 0, nameof(MaxTrials), "must be positive");
        Check(MinEpochs > 0, nameof(MinEpochs), "must be positive");
        Check(MaxEpochs >= MinEpochs, nameof(MaxEpochs), "must be at least MinEpochs");
        Check(Eta >= 2, nameof(Eta), "must be at least 2");
        Check(ValidationFraction is > 0 and < 1, nameof(ValidationFraction), "must be in (0, 1): trials are scored on it");
        Check(NumberOfThreads is null or > 0, nameof(NumberOfThreads), "must be positive");
        Check(Enum.IsDefined(Strategy), nameof(Strategy), "must be SuccessiveHalving or RandomSearch");
    }

    /// <summary>The epoch budgets of the rungs: MinEpochs·η^k below MaxEpochs, then MaxEpochs (random search: MaxEpochs only).</summary>
    public IReadOnlyList<int> RungEpochs()
    {
        if (Strategy == TuningStrategy.RandomSearch) return [MaxEpochs];
        var rungs = new List<int>();
        for (long e = MinEpochs; e < MaxEpochs; e *= Eta) rungs.Add((int)e);
        rungs.Add(MaxEpochs);
        return rungs;
    }

    private static void Check(bool ok, string name, string requirement)
    {
        if (!ok) throw new ArgumentOutOfRangeException(name, $"Option {name} {requirement}.");
    }
}
