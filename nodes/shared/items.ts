import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

/**
 * The item `continueOnFail()` puts in place of a failed one: the error, never silence. Only the
 * keys n8n recognises (`error`, `details`), so "continue (using error output)" moves it there.
 */
export function failedItem(error: Error, itemIndex: number): INodeExecutionData {
	const json: IDataObject = { error: error.message };
	if ((error instanceof NodeApiError || error instanceof NodeOperationError) && error.description) {
		json.details = error.description;
	}
	return { json, pairedItem: { item: itemIndex } };
}

/** Attach the item index to errors thrown without one, so the editor points at the item. */
export function withItemIndex(context: IExecuteFunctions, error: unknown, itemIndex: number): Error {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		error.context.itemIndex ??= itemIndex;
		return error;
	}
	return new NodeOperationError(context.getNode(), error as Error, { itemIndex });
}

/**
 * Run `handle` for every input item and collect its output items; a failure becomes an error
 * item when the node continues on fail, and otherwise stops the node with the item's index.
 */
export async function forEachItem(
	context: IExecuteFunctions,
	handle: (itemIndex: number) => Promise<INodeExecutionData[]>,
): Promise<INodeExecutionData[]> {
	const output: INodeExecutionData[] = [];
	const count = context.getInputData().length;
	for (let itemIndex = 0; itemIndex < count; itemIndex++) {
		try {
			output.push(...(await handle(itemIndex)));
		} catch (error) {
			if (!context.continueOnFail()) throw withItemIndex(context, error, itemIndex);
			output.push(failedItem(error as Error, itemIndex));
		}
	}
	return output;
}
