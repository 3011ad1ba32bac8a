using Microsoft.ML;
using Microsoft.ML.Runtime;
using MLNet.Adversarial.Data;
using MLNet.Adversarial.Evaluation;
using MLNet.Adversarial.Models;
using MLNet.Adversarial.Robustness;
using MLNet.Adversarial.Serving;
using MLNet.Adversarial.Training;

namespace MLNet.Adversarial.Trainers;

/// <summary>
/// The one <c>Fit</c> path of every recommender trainer: it reads the columns, takes the validation data (or holds
/// out <see cref="RecommenderTrainerOptions.ValidationFraction"/> of each user's positives), warns about unknown ids,
/// draws the seed, trains through the <see cref="TrainingLoop"/> (and refits on all the rows with
/// <see cref="RecommenderTrainerOptions.RefitOnAllData"/>), and builds the serving transformer. A trainer supplies only
/// its epoch (<see cref="CreateEpochTrainer"/>), its epoch budget and its metadata.
/// </summary>
/// <typeparam name="TOptions">The trainer's options.</typeparam>
public abstract class RecommenderTrainer<TOptions> : IEstimator<RecommenderTransformer>
    where TOptions : RecommenderTrainerOptions
{
    private readonly MLContext _mlContext;
    private readonly TOptions _options;

    private protected RecommenderTrainer(MLContext mlContext, TOptions options)
    {
        _mlContext = mlContext ?? throw new ArgumentNullException(nameof(mlContext));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _options.Validate();
    }

    /// <summary>The context this trainer was created with.</summary>
    private protected MLContext Context => _mlContext;

    /// <summary>The options this trainer was created with.</summary>
    private protected TOptions TrainerOptions => _options;

    /// <summary>The model kind written into exported metadata.</summary>
    private protected abstract string ModelKind { get; }

    /// <summary>The maximum number of epochs of the whole schedule.</summary>
    private protected abstract int MaxEpochs { get; }

    /// <summary>The hyper-parameters recorded in the exported ONNX metadata.</summary>
    internal abstract IReadOnlyDictionary<string, string> HyperParameters();

    /// <summary>The trainer's epoch on <paramref name="train"/>, and the settings its checkpoints must match.</summary>
    private protected abstract IEpochTrainer CreateEpochTrainer(InteractionData train, int seed, Action<string>? log, out IReadOnlyDictionary<string, string> settings);

    /// <summary>
    /// The model to serve and the positives it is exported and served against (by default <paramref name="input"/>, the
    /// positives of Fit's input), from the trained <paramref name="model"/>; <paramref name="trainedOn"/> is what it was
    /// trained on, <paramref name="known"/> every positive Fit saw (the input's and the validation data's).
    /// </summary>
    private protected virtual (IRecommenderModel Model, InteractionData Data) ForServing(IRecommenderModel model, InteractionData trainedOn, InteractionData known,
        InteractionData input, Action<string> log) => (model, input);

    /// <summary>Trains on <paramref name="input"/> and returns the serving transformer.</summary>
    /// <remarks>
    /// Input behaviour: repeated (user, item) rows collapse into one positive; rows rated below
    /// <see cref="RecommenderTrainerOptions.MinRating"/> are not positives but still add their user and item to the
    /// catalogue; ids are labels, not indices, so negative and very large integer ids are ordinary ids. A single user or
    /// a single item trains as long as every user has at least one item it has no positive for (a negative to sample).
    /// Without <see cref="RecommenderTrainerOptions.ValidationData"/>, <see cref="RecommenderTrainerOptions.ValidationFraction"/>
    /// of each user's positives validate the schedule, and <see cref="RecommenderTrainerOptions.RefitOnAllData"/> retrains on all of them.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or has an unsupported type (the message names it).</exception>
    /// <exception cref="ArgumentException">The data has no rows, or no row at or above MinRating.</exception>
    /// <exception cref="InvalidDataException">A row has a missing, NaN, fractional or out-of-range id or a non-finite rating (the message names the column and row).</exception>
    /// <exception cref="InvalidOperationException">Some user has every item as a positive; the checkpoint to resume from does not fit; training diverged.</exception>
    /// <exception cref="OperationCanceledException">The options' cancellation token was cancelled (checked before every batch; the last checkpoint file stays intact).</exception>
    public RecommenderTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var o = _options;
        string name = GetType().Name;
        var host = ((IHostEnvironment)_mlContext).Register(name);
        using var channel = host.Start(name);
        void Log(string message) => channel.Info(MessageSensitivity.None, message);

        var read = DataViewInteractionReader.Read(input, o.UserColumnName, o.ItemColumnName, o.RatingColumnName, o.CancellationToken);
        // The defence drops suspected users' rows; the catalogue keeps every user and item of the input.
        var table = PoisoningDefenses.Apply(read, o.MinRating, o.Defense, out var detection);
        var train = InteractionData.FromTable(table, IdVocabulary.FromColumn(read.Users), IdVocabulary.FromColumn(read.Items), o.MinRating, out _);
        if (detection is not null)
            Log($"defense {o.Defense}: {detection.SuspectedCount} of {train.Users.Count} users suspected of being fake profiles; their {read.Count - table.Count} rows are not trained on");
        Log($"{ModelKind}: {train.Count} positives, {train.Users.Count} users, {train.Items.Count} items");
        int seed = o.Seed ?? host.Rand.Next();
        var resume = o.ResumeFrom;

        TrainingResult<IRecommenderModel> result;
        TrainingCheckpoint checkpoint;
        InteractionData trainedOn = train, known = train;
        if (o.ValidationData is not null)
        {
            var validationTable = DataViewInteractionReader.Read(o.ValidationData, o.UserColumnName, o.ItemColumnName, o.RatingColumnName, o.CancellationToken);
            var validation = InteractionData.FromTable(validationTable, train.Users, train.Items, o.MinRating, out int unknown);
            if (unknown > 0) channel.Warning(MessageSensitivity.None, $"{unknown} validation rows name users or items absent from the training data and are ignored.");
            result = RunSchedule(train, validation, seed, Log, resume, out checkpoint);
            known = train.Union(validation);
        }
        else if (o.ValidationFraction > 0)
        {
            var split = HoldoutSplit.PerUser(table, o.ValidationFraction, unchecked(seed + 1), o.MinRating);
            var fit = InteractionData.FromTable(split.Train, train.Users, train.Items, o.MinRating, out _);
            var holdout = InteractionData.FromTable(split.Holdout, train.Users, train.Items, o.MinRating, out _);
            Log($"validation: {holdout.Count} of {train.Count} positives held out ({o.ValidationFraction:P0} per user)");
            // A refit's checkpoint carries the selection it replays: resuming it skips the validated run.
            bool resumingRefit = resume is { IsRefit: true };
            if (resumingRefit && !o.RefitOnAllData)
                throw new InvalidOperationException("The checkpoint is of a refit on all the data: resume with RefitOnAllData = true.");
            TrainingCheckpoint? selectionEnd = null;
            var selection = resumingRefit ? resume!.SelectionRun! : RunSchedule(fit, holdout, seed, Log, resume, out selectionEnd);
            if (o.RefitOnAllData)
            {
                // A resumed refit replays the schedule its checkpoint recorded.
                var schedule = resumingRefit ? resume!.Replay! : selection.Schedule();
                Log($"refit on all {train.Count} positives: {schedule.Epochs} epochs" +
                    (schedule.PhaseEnds.Count == 0 ? "" : $", phase switches after epoch {string.Join(", ", schedule.PhaseEnds)}"));
                result = RunSchedule(train, null, seed, Log, resumingRefit ? resume : null, out checkpoint, schedule, selection);
            }
            else
            {
                result = selection;
                trainedOn = fit;
                checkpoint = selectionEnd!;
            }
        }
        else result = RunSchedule(train, null, seed, Log, resume, out checkpoint, resume?.Replay, resume?.SelectionRun);

        var (model, data) = ForServing(result.Model, trainedOn, known, train, Log);
        return RecommenderTransformer.Create(_mlContext, input, data, result with { Model = model }, checkpoint, o.ServingOptions(), ModelKind, HyperParameters());
    }

    /// <summary>
    /// Runs the schedule on already indexed positives through the <see cref="TrainingLoop"/>: the one training path
    /// of every trainer's <c>Train</c> and of <see cref="Fit"/>. <paramref name="validation"/> (over
    /// <paramref name="train"/>'s vocabularies) drives model selection, the phase switches and early stopping.
    /// </summary>
    private protected TrainingResult<IRecommenderModel> RunSchedule(InteractionData train, InteractionData? validation, int seed, Action<string>? log,
        TrainingCheckpoint? resume, out TrainingCheckpoint checkpoint, TrainingSchedule? replay = null, TrainingResult<IRecommenderModel>? selection = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        var o = _options;
        Func<IRecommenderModel, double>? validate = null;
        if (validation is not null)
        {
            var evaluator = new RankingEvaluator(new RankingEvaluator.Options { Ks = [o.ValidationK] });
            validate = model => evaluator.Evaluate(new RecommenderModelScorer(model, train.Users, train.Items), train, validation).At(o.ValidationK).Ndcg;
        }
        var (result, last) = TorchTraining.Run(o.NumberOfThreads, () =>
        {
            using var trainer = CreateEpochTrainer(train, seed, log, out var own);
            // The data too: a resumed run on other positives (another validation split) would match neither run.
            var settings = new SortedDictionary<string, string>(own.ToDictionary(), StringComparer.Ordinal) { [TrainingCheckpoint.TrainingDataKey] = train.ComputeHash() };
            var request = new TrainingRequest
            {
                MaxEpochs = MaxEpochs, Settings = settings, Validate = validate, Patience = o.EarlyStoppingPatience, Replay = replay, SelectionRun = selection,
                ResumeFrom = resume, CheckpointPath = o.CheckpointDirectory is null ? null : Path.Combine(o.CheckpointDirectory, RecommenderTrainerOptions.CheckpointFileName),
                CheckpointEvery = o.CheckpointEvery, Progress = o.Progress, Log = log, Cancellation = o.CancellationToken,
            };
            var run = TrainingLoop.Run(trainer, train, request, out var end);
            return (run, end);
        });
        checkpoint = last;
        return result;
    }

    /// <summary>The input schema plus the score column; checks the id and rating columns.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema) =>
        ScoreColumnShape.AppendForTrainer(_mlContext, inputSchema, _options.UserColumnName, _options.ItemColumnName, _options.RatingColumnName, _options.ScoreColumnName);
}
