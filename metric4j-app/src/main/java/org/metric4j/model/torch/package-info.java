/**
 * PyTorch interoperability: state-dict entries of blocks ({@link org.metric4j.model.torch.TorchStateful}),
 * reading and writing {@code torch.save} state dicts without Python.
 */
package org.metric4j.model.torch;
