using MLNet.Adversarial.Data;
using MLNet.Adversarial.Models;
using MLNet.Adversarial.Training;

namespace MLNet.Adversarial.Trainers;

/// <summary>What <see cref="AprTrainer.Update(FactorizationModel, InteractionData, InteractionData, UpdateOptions, Action{string})"/> made.</summary>
/// <param name="Model">The updated model, over the old and new users and items.</param>
/// <param name="Positives">Every old and new positive over <paramref name="Model"/>'s vocabularies (the "seen" items when recommending).</param>
/// <param name="NewUsers">Users folded in.</param>
/// <param name="NewItems">Items folded in.</param>
/// <param name="TrainedPositives">The positives the continued training ran on (the new ones and the sampled old users').</param>
/// <param name="Training">The continued training's epochs (none with <see cref="UpdateOptions.Epochs"/> 0).</param>
/// <param name="Checkpoint">The training state at its end (with no epochs: the folded-in weights), to update again from.</param>
public sealed record UpdateResult(FactorizationModel Model, InteractionData Positives, int NewUsers, int NewItems, int TrainedPositives,
    TrainingResult<FactorizationModel> Training, TrainingCheckpoint Checkpoint);
