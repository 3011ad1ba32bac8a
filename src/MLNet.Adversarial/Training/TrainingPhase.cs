namespace MLNet.Adversarial.Training;

/// <summary>
/// One phase of a training schedule (APR: the BPR warm-up, then the adversarial phase; IRGAN: BPR pre-training,
/// then the game). A phase other than the last ends after <paramref name="MaxEpochs"/> epochs or, with
/// <paramref name="EndsOnPlateau"/> and validation data, when validation has not improved for the patience; the last
/// phase runs until the epoch budget or early stopping, which can end only the last phase.
/// </summary>
/// <param name="Name">Shown in the history and the log.</param>
/// <param name="MaxEpochs">The cap of a phase other than the last (ignored for the last).</param>
/// <param name="EndsOnPlateau">Whether validation that stops improving ends the phase before its cap.</param>
/// <param name="Selectable">Whether model selection may return an epoch of this phase.</param>
/// <param name="StartsFromPreviousBest">
/// Whether this phase (not the first) starts from the previous phase's best validated model rather than from where
/// the previous phase stopped (a plateau ends a phase some epochs past its best). A refit replays the same: the
/// previous phase runs to the epoch of that best model.
/// </param>
internal sealed record TrainingPhase(string Name, int MaxEpochs, bool EndsOnPlateau, bool Selectable, bool StartsFromPreviousBest = false);
