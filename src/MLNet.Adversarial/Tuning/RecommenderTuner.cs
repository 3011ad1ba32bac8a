using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.ML;
using MLNet.Adversarial.Data;
using MLNet.Adversarial.Trainers;
using MLNet.Adversarial.Training;

namespace MLNet.Adversarial.Tuning;

/// <summary>
/// Searches the declared hyper-parameter spaces of the chosen trainers (<see cref="TrainerSearchSpace"/>) with
/// successive halving over epochs (or plain random search), scores every trial by its validation NDCG@10 on a
/// per-user split of the training data only, and refits the winner on all of it. The configurations are a function
/// of the seed alone (configuration k is drawn from its own seeded generator, the trainers taken in turn), and every
/// trial is seeded, so the same seed and trial limit give the same search; a time budget only decides where it ends.
/// </summary>
public sealed class RecommenderTuner
{
    private readonly MLContext _mlContext;
    private readonly TuningOptions _options;

    internal RecommenderTuner(MLContext mlContext, TuningOptions options)
    {
        _mlContext = mlContext ?? throw new ArgumentNullException(nameof(mlContext));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _options.Validate();
    }

    /// <summary>The configuration <paramref name="index"/> of the search of <paramref name="options"/>: its trainer and sampled values.</summary>
    public static (TunableTrainer Trainer, IReadOnlyDictionary<string, string> Parameters) Configuration(TuningOptions options, int index)
    {
        ArgumentNullException.ThrowIfNull(options);
        var space = TrainerSearchSpace.For(options.Trainers[index % options.Trainers.Count]);
        return (space.Trainer, space.Sample(new Random(ConfigurationSeed(options.Seed, index))));
    }

    /// <summary>
    /// The seed of configuration <paramref name="index"/>: a SplitMix64 mix of the search seed and the index. Seeded
    /// <see cref="Random"/>s with consecutive seeds draw correlated values (every configuration got the same item-bias
    /// choice), so consecutive indices must not give consecutive seeds.
    /// </summary>
    internal static int ConfigurationSeed(int seed, int index)
    {
        ulong z = unchecked(((ulong)(uint)seed << 32 | (uint)index) + 0x9E3779B97F4A7C15UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return (int)((z ^ (z >> 31)) & int.MaxValue);
    }

    /// <summary>Runs the search on <paramref name="data"/> (the training rows only) and refits the winner on all of them.</summary>
    /// <exception cref="InvalidDataException">The trials file records another search, or is not a trials file.</exception>
    /// <exception cref="InvalidOperationException">No trial finished within the budget, or every trial failed.</exception>
    /// <exception cref="OperationCanceledException">The options' cancellation token was cancelled.</exception>
    public TuningResult Tune(IDataView data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var o = _options;
        var clock = Stopwatch.StartNew();
        var table = DataViewInteractionReader.Read(data, o.UserColumnName, o.ItemColumnName, o.RatingColumnName, o.CancellationToken);
        var log = TrialLog.Open(o.TrialsFile, new TrialLog.Search(o.Seed, o.Strategy.ToString(), o.Trainers.Select(t => t.ToString().ToLowerInvariant()).ToArray(),
            o.MinEpochs, o.MaxEpochs, o.Eta, o.ValidationFraction, o.IncludeDefaults, o.MinRating, InteractionData.FromTable(table, o.MinRating).ComputeHash()));
        var search = new Search(this, data, log, clock);
        string stop = search.Run();
        double searchSeconds = clock.Elapsed.TotalSeconds;

        var best = TrialTable.Best(log.Trials.Where(t => t.Error is null))
            ?? throw new InvalidOperationException(log.Trials.Count == 0
                ? "No trial finished within the time budget: give the search more time."
                : "Every trial failed (see their errors in the trials): the search found no model.");
        var bestOptions = OptionsOf(best);
        Configure(bestOptions, refit: true, o.CancellationToken, progress: null);
        var model = TrainerSearchSpace.Estimator(_mlContext, bestOptions).Fit(data);
        return new TuningResult(log.Trials.ToArray(), best, bestOptions, model, stop, searchSeconds);
    }

    /// <summary>The trainer options a trial trained with (its budget as its epochs).</summary>
    internal RecommenderTrainerOptions OptionsOf(TuningTrial trial)
    {
        var space = TrainerSearchSpace.For(Enum.Parse<TunableTrainer>(trial.Trainer, ignoreCase: true));
        if (trial.IsDefaults) return space.CreateDefaults();
        var options = space.Create(trial.Parameters);
        TrainerSearchSpace.SetEpochBudget(options, trial.Epochs);
        return options;
    }

    /// <summary>The tuning's data, seed, validation split and threads on a trial's (or the refit's) options.</summary>
    private void Configure(RecommenderTrainerOptions options, bool refit, CancellationToken cancellation, IProgress<TrainingEpochReport>? progress)
    {
        var o = _options;
        options.UserColumnName = o.UserColumnName;
        options.ItemColumnName = o.ItemColumnName;
        options.RatingColumnName = o.RatingColumnName;
        options.MinRating = o.MinRating;
        options.Seed = o.Seed; // one seed: every trial validates on the same split (the trainer's, seeded by seed + 1)
        options.ValidationData = null;
        options.ValidationFraction = o.ValidationFraction;
        options.RefitOnAllData = refit;
        options.NumberOfThreads = o.NumberOfThreads;
        options.CancellationToken = cancellation;
        options.Progress = progress;
    }

    /// <summary>The budget a trainer's defaults train with: their whole schedule's maximum number of epochs.</summary>
    private static int DefaultEpochs(RecommenderTrainerOptions options) => options switch
    {
        IrganTrainer.Options irgan => irgan.Epochs + irgan.AdversarialEpochs,
        FactorizationTrainerOptions factorization => factorization.Epochs,
        CfganTrainer.Options cfgan => cfgan.Epochs,
        _ => 0,
    };

    /// <summary>One run of the search: the defaults, then brackets of successive halving until the trial limit or the time budget.</summary>
    private sealed class Search(RecommenderTuner tuner, IDataView data, TrialLog log, Stopwatch clock)
    {
        private readonly TuningOptions _o = tuner._options;
        private TuningTrial? _best;

        /// <summary>Runs the search; returns why it stopped.</summary>
        public string Run()
        {
            if (_o.IncludeDefaults)
                foreach (var trainer in _o.Trainers)
                {
                    var space = TrainerSearchSpace.For(trainer);
                    var defaults = space.CreateDefaults();
                    if (Trial($"defaults-{space.Name}", -1, space.Name, -1, 0, DefaultEpochs(defaults), new SortedDictionary<string, string>(), defaults) is null) return StopReason()!;
                }
            var rungs = _o.RungEpochs();
            int perBracket = (int)Math.Pow(_o.Eta, rungs.Count - 1);
            for (int bracket = 0; ; bracket++)
            {
                var alive = Enumerable.Range(bracket * perBracket, perBracket).ToList();
                for (int rung = 0; rung < rungs.Count; rung++)
                {
                    var scores = new List<(int Configuration, double Score)>();
                    foreach (int c in alive)
                    {
                        var (trainer, parameters) = Configuration(_o, c);
                        var space = TrainerSearchSpace.For(trainer);
                        var options = space.Create(parameters);
                        TrainerSearchSpace.SetEpochBudget(options, rungs[rung]);
                        var trial = Trial($"c{c}@{rungs[rung]}", c, space.Name, bracket, rung, rungs[rung], parameters, options);
                        if (trial is null) return StopReason()!;
                        scores.Add((c, trial.ValidationNdcg));
                    }
                    // The best 1/η go on with η times the epochs; equal scores keep the earlier configuration.
                    alive = scores.OrderByDescending(s => s.Score).ThenBy(s => s.Configuration).Take(Math.Max(1, alive.Count / _o.Eta)).Select(s => s.Configuration).ToList();
                }
            }
        }

        /// <summary>Why the search must stop now, or null to go on.</summary>
        private string? StopReason()
        {
            if (_o.CancellationToken.IsCancellationRequested) return "cancelled";
            if (_o.MaxTrials is { } max && log.Trials.Count >= max) return "trials";
            if (TimeLeft() is { } left && left <= RefitReserve()) return "time";
            return null;
        }

        private TimeSpan? TimeLeft() => _o.TimeBudget - clock.Elapsed;

        /// <summary>Time kept for the winner's refit: a selection run and a refit, each at most as long as the winner's trial.</summary>
        private TimeSpan RefitReserve() => TimeSpan.FromSeconds(2 * (_best?.Seconds ?? 0));

        /// <summary>Runs (or resumes) one trial; null when the search must stop first (or stopped it).</summary>
        private TuningTrial? Trial(string key, int configuration, string trainer, int bracket, int rung, int epochs, IReadOnlyDictionary<string, string> parameters,
            RecommenderTrainerOptions options)
        {
            _o.CancellationToken.ThrowIfCancellationRequested();
            if (StopReason() is not null) return null;
            int number = log.Trials.Count + 1;
            bool resumed = log.TryResume(key, number, out var trial);
            if (!resumed)
            {
                var run = RunTrial(options);
                if (run is null) return null;
                var (ndcg, selected, epochsRun, seconds, error) = run.Value;
                trial = new TuningTrial
                {
                    Key = key, Number = number, Configuration = configuration, Trainer = trainer, Bracket = bracket, Rung = rung, Epochs = epochs,
                    Parameters = parameters, ValidationNdcg = ndcg, SelectedEpoch = selected, EpochsRun = epochsRun, Seconds = seconds, Error = error,
                };
            }
            log.Add(trial);
            if (trial.Error is null && (_best is null || trial.ValidationNdcg > _best.ValidationNdcg)) _best = trial;
            _o.Progress?.Report(new TuningProgress(trial, _best ?? trial, _o.MaxTrials, TimeLeft(), resumed));
            return trial;
        }

        /// <summary>Trains one trial on the split; null when the time budget ended it (it is not recorded, so a resume runs it).</summary>
        private (double Ndcg, int Selected, int EpochsRun, double Seconds, string? Error)? RunTrial(RecommenderTrainerOptions options)
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(_o.CancellationToken);
            // The budget is checked after every epoch too: a long trial does not overrun it.
            var deadline = new Progress(() => { if (TimeLeft() is { } left && left <= RefitReserve()) stop.Cancel(); });
            tuner.Configure(options, refit: false, stop.Token, deadline);
            var watch = Stopwatch.StartNew();
            try
            {
                using var model = TrainerSearchSpace.Estimator(tuner._mlContext, options).Fit(data);
                var training = model.Training;
                double ndcg = training.History.FirstOrDefault(h => h.Epoch == training.SelectedEpoch)?.ValidationMetric ?? 0;
                return (ndcg, training.SelectedEpoch, training.History.Count, watch.Elapsed.TotalSeconds, null);
            }
            catch (OperationCanceledException) when (!_o.CancellationToken.IsCancellationRequested)
            {
                return null;
            }
            catch (Exception e) when (e is ExternalException || e is InvalidOperationException && e.Message.StartsWith("Training diverged", StringComparison.Ordinal))
            {
                // A sampled configuration may diverge or ask libtorch for too much: the search records it and goes on (bad data fails the search).
                return (0, 0, 0, watch.Elapsed.TotalSeconds, e.Message.Split('\n')[0].TrimEnd());
            }
        }
    }

    /// <summary>Calls back after every epoch (synchronously, unlike <see cref="Progress{T}"/>).</summary>
    private sealed class Progress(Action check) : IProgress<TrainingEpochReport>
    {
        public void Report(TrainingEpochReport value) => check();
    }
}
