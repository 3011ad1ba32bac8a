using System.Diagnostics;
using MLNet.Adversarial.Data;
using MLNet.Adversarial.Models;

namespace MLNet.Adversarial.Training;

/// <summary>
/// The one epoch loop of every trainer (LensKit style: the loop owns the epochs; an <see cref="IEpochTrainer"/>
/// supplies its epoch). It owns the phase schedule, model selection on validation data and early stopping (which can
/// end only the last phase), divergence detection, cancellation, progress reports and the log, and checkpoints
/// (atomic; every N epochs and after the last; never after a diverged epoch, so the last good one survives).
/// </summary>
internal static class TrainingLoop
{
    /// <summary>Trains <paramref name="trainer"/> on <paramref name="train"/>; returns the selected model and the state at the end.</summary>
    public static TrainingResult<IRecommenderModel> Run(IEpochTrainer trainer, InteractionData train, TrainingRequest request, out TrainingCheckpoint last)
    {
        var phases = trainer.Phases;
        int maxEpochs = request.Replay?.Epochs ?? request.MaxEpochs;
        var validate = request.Replay is null ? request.Validate : null;
        int patience = request.Patience;
        var log = request.Log;
        var state = new TrainingLoopState();

        if (request.ResumeFrom is { } resume)
        {
            resume.CheckData(train);
            resume.CheckSettings(request.Settings);
            state = resume.Loop.Clone();
            if (resume.Version == 2) CatchUpFixedPhases(state, phases);
            if (state.Phase >= phases.Count) throw new InvalidOperationException($"The checkpoint is in phase {state.Phase + 1}; this trainer has {phases.Count}.");
            if (state.Phase > 0) trainer.EnterPhase(state.Phase, start: null);
            using var reader = new BinaryReader(new MemoryStream(resume.TrainerState));
            try
            {
                trainer.ReadState(reader);
            }
            catch (EndOfStreamException e)
            {
                throw new InvalidOperationException(resume.Version == 2
                    ? "The checkpoint has format version 2, which did not hold every part of this trainer (the privacy adversary): start the run afresh."
                    : "The checkpoint's trainer state is incomplete for these options: resume with the options it was trained with.", e);
            }
        }

        bool Validating() => validate is not null;
        bool EarlyStop() => Validating() && patience > 0 && state.Phase == phases.Count - 1 && state.PhaseSinceBest >= patience;
        void AdvancePhases()
        {
            while (state.Phase < phases.Count - 1 && PhaseEnds(state, phases[state.Phase], request.Replay, Validating(), patience))
            {
                int ended = state.Phase;
                var next = phases[ended + 1];
                var start = next.StartsFromPreviousBest ? state.PhaseBest ?? trainer.Snapshot() : null;
                int from = next.StartsFromPreviousBest ? PhaseBestEpoch(state.History, state.PhaseStartEpoch, state.Epoch) ?? state.Epoch : state.Epoch;
                state.NextPhase();
                log?.Invoke($"phase {phases[ended].Name} ended after epoch {state.Epoch}; phase {next.Name} starts" +
                    (from == state.Epoch ? "" : $" from the model of epoch {from}"));
                trainer.EnterPhase(state.Phase, start);
            }
        }

        AdvancePhases(); // phases of no epochs, and a resumed run's pending switch
        for (int epoch = state.Epoch + 1; epoch <= maxEpochs && !EarlyStop(); epoch++)
        {
            request.Cancellation.ThrowIfCancellationRequested();
            var phase = phases[state.Phase];
            var clock = Stopwatch.StartNew();
            var outcome = trainer.RunEpoch(epoch, state.Phase, epoch < maxEpochs ? epoch + 1 : null, request.Cancellation);
            clock.Stop();
            state.Epoch = epoch;

            double? metric = null;
            if (validate is not null)
            {
                var snapshot = trainer.Snapshot();
                metric = validate(snapshot);
                if (metric > state.PhaseBestMetric) { state.PhaseBestMetric = metric.Value; state.PhaseBest = snapshot; state.PhaseSinceBest = 0; }
                else state.PhaseSinceBest++;
                if (phase.Selectable && metric > state.BestMetric) { state.BestMetric = metric.Value; state.Best = snapshot; state.BestEpoch = epoch; }
            }
            var report = new TrainingEpochReport(epoch, maxEpochs, outcome.Loss, metric, clock.Elapsed.TotalSeconds, outcome.Pairs, outcome.Adversarial,
                outcome.AdversaryLoss, outcome.DiscriminatorLoss) { Phase = phase.Name };
            state.History.Add(report);
            log?.Invoke(phases.Count > 1 ? $"{phase.Name}: {report}" : report.ToString());
            bool diverged = !double.IsFinite(report.Loss) || report.DiscriminatorLoss is { } d && !double.IsFinite(d);
            if (!diverged) AdvancePhases();
            bool stop = EarlyStop();
            // Written before the progress report, so an observer that sees epoch e (or cancels there) finds its
            // checkpoint; a diverged state is never checkpointed over the last good one.
            if (!diverged && request.CheckpointPath is { } path && (epoch % request.CheckpointEvery == 0 || epoch == maxEpochs || stop))
                TrainingCheckpoint.Capture(trainer, train, state, request.Settings, request.Replay, request.SelectionRun).Save(path);
            request.Progress?.Report(report);
            if (diverged)
                throw new InvalidOperationException(FormattableString.Invariant(
                    $"Training diverged at epoch {epoch} ({(report.DiscriminatorLoss is null ? "loss" : "G loss")} {report.Loss}{(report.DiscriminatorLoss is { } dl ? $", D loss {dl}" : "")}); {trainer.DivergenceAdvice}."));
            if (stop)
                log?.Invoke($"early stopping after epoch {epoch}: no improvement for {state.PhaseSinceBest} validated epochs; keeping epoch {state.BestEpoch}");
        }

        last = TrainingCheckpoint.Capture(trainer, train, state, request.Settings, request.Replay, request.SelectionRun);
        var result = state.Best is not null
            ? new TrainingResult<IRecommenderModel>(state.Best, state.History, state.BestEpoch)
            : new TrainingResult<IRecommenderModel>(trainer.Snapshot(), state.History, state.Epoch);
        return result with
        {
            PhaseSwitchEpochs = state.PhaseEnds.ToArray(), PhaseStartEpochs = PhaseStarts(state, phases), ModelSelection = request.SelectionRun,
        };
    }

    /// <summary>
    /// The first epoch in (<paramref name="after"/>, <paramref name="through"/>] with the highest validation metric
    /// (the rule that sets the phase's best), or null when none of them was validated.
    /// </summary>
    private static int? PhaseBestEpoch(IReadOnlyList<TrainingEpochReport> history, int after, int through)
    {
        int? best = null;
        double bestMetric = double.NegativeInfinity;
        foreach (var h in history)
            if (h.Epoch > after && h.Epoch <= through && h.ValidationMetric > bestMetric) { bestMetric = h.ValidationMetric.Value; best = h.Epoch; }
        return best;
    }

    /// <summary>For each phase switch, the epoch whose model the next phase started from (derived from the history, so a resumed run agrees).</summary>
    private static int[] PhaseStarts(TrainingLoopState state, IReadOnlyList<TrainingPhase> phases)
    {
        var starts = new int[state.PhaseEnds.Count];
        for (int k = 0; k < starts.Length; k++)
        {
            int end = state.PhaseEnds[k], after = k == 0 ? 0 : state.PhaseEnds[k - 1];
            starts[k] = phases[k + 1].StartsFromPreviousBest ? PhaseBestEpoch(state.History, after, end) ?? end : end;
        }
        return starts;
    }

    /// <summary>Whether the current phase (not the last) is over after <c>state.Epoch</c>.</summary>
    private static bool PhaseEnds(TrainingLoopState state, TrainingPhase phase, TrainingSchedule? replay, bool validating, int patience)
    {
        if (replay is not null)
            return state.Phase < replay.PhaseEnds.Count && state.Epoch >= replay.PhaseEnds[state.Phase];
        if (state.Epoch - state.PhaseStartEpoch >= phase.MaxEpochs) return true;
        return validating && phase.EndsOnPlateau && patience > 0 && state.PhaseSinceBest >= patience;
    }

    /// <summary>A version-2 checkpoint has no phase state: the fixed caps say which phase its epoch is in.</summary>
    private static void CatchUpFixedPhases(TrainingLoopState state, IReadOnlyList<TrainingPhase> phases)
    {
        int reached = state.Epoch;
        int end = 0;
        state.Epoch = 0;
        while (state.Phase < phases.Count - 1 && end + phases[state.Phase].MaxEpochs < reached)
        {
            end += phases[state.Phase].MaxEpochs;
            state.Epoch = end;
            state.NextPhase();
        }
        state.Epoch = reached;
        state.PhaseBest = state.Best;
    }
}
