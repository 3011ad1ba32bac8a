namespace MLNet.Adversarial.Onnx;

/// <summary>The <c>metadata_props</c> keys and values the exporter writes, for readers of the files.</summary>
public static class OnnxMetadataKeys
{
    /// <summary>
    /// The serving contract: <see cref="PairwiseScorerContract"/> or <see cref="TopKContract"/>. Always the last
    /// entry, so its presence shows the file was not cut short (see <see cref="OnnxModelFile.Validate(byte[], string, string?)"/>).
    /// </summary>
    public const string Contract = "contract";

    /// <summary>Contract of a model with inputs <c>user</c>, <c>item</c> and output <c>score</c>.</summary>
    public const string PairwiseScorerContract = "pairwise-scorer";

    /// <summary>Contract of a model with input <c>user</c> and outputs <c>item_ids</c>, <c>scores</c>.</summary>
    public const string TopKContract = "top-k";

    /// <summary>Contract of a model with input <c>purchases</c> (a purchase vector per row) and outputs <c>item_scores</c>, <c>item_ids</c>, <c>scores</c> and <c>catalog_item_ids</c> (CFGAN, for unseen users).</summary>
    public const string PurchaseVectorContract = "purchase-vector";

    /// <summary>The model kind given by the caller (<see cref="OnnxExportOptions.ModelKind"/>).</summary>
    public const string ModelKind = "model_kind";

    /// <summary>Number of known users.</summary>
    public const string UserCount = "user_count";

    /// <summary>Number of known items (the catalogue size).</summary>
    public const string ItemCount = "item_count";

    /// <summary>Type of the raw user ids: <c>int64</c> or <c>string</c>.</summary>
    public const string UserIdType = "user_id_type";

    /// <summary>Type of the raw item ids: <c>int64</c> or <c>string</c>.</summary>
    public const string ItemIdType = "item_id_type";

    /// <summary>How the id inputs are declared: <c>any-rank</c> or <c>column</c> (see <see cref="OnnxIdInputShape"/>).</summary>
    public const string IdInputShape = "id_input_shape";

    /// <summary>Embedding dimension.</summary>
    public const string Dimension = "dimension";

    /// <summary>SHA-256 of the training data (<see cref="Data.InteractionData.ComputeHash"/>); absent when not given.</summary>
    public const string TrainingDataHash = "training_data_hash";

    /// <summary>The informational version of this library.</summary>
    public const string LibraryVersion = "library_version";

    /// <summary>Top-K only: the number of items returned per user, after clamping.</summary>
    public const string K = "k";

    /// <summary>Top-K only: <c>true</c> when training items are excluded, else <c>false</c>.</summary>
    public const string ExcludeTrainingItems = "exclude_training_items";

    /// <summary>Hybrid models only: width of the item text embeddings the graph projects (new items' embeddings must match).</summary>
    public const string ItemTextDimension = "item_text_dimension";

    /// <summary>Hybrid models with user text only: width of the user text embeddings.</summary>
    public const string UserTextDimension = "user_text_dimension";

    /// <summary>CFGAN only: <c>user-based</c> or <c>item-based</c>, what the generator's input vectors are.</summary>
    public const string CfganOrientation = "cfgan_orientation";

    /// <summary>Prefix of the hyper-parameter entries (<c>hparam.learning_rate</c>, ...).</summary>
    public const string HyperParameterPrefix = "hparam.";
}
